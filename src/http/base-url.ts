import type { APIGatewayProxyEvent, APIGatewayProxyEventV2 } from 'aws-lambda';
import { statusPath } from '../contract.js';

/** A host name or IPv4 address with an optional port: nothing that could start a path or a scheme. */
const HOST = /^[a-z0-9](?:[a-z0-9.-]*[a-z0-9])?(?::\d{1,5})?$/i;
/** Only the local stack serves on loopback, and only over plain HTTP. */
const LOOPBACK = /^(?:127(?:\.\d{1,3}){3}|localhost)(?::\d{1,5})?$/i;
/** API Gateway's default domains, where a named stage is the first path segment. */
const EXECUTE_API = /\.execute-api\.[a-z0-9-]+\.amazonaws\.com(?:\.cn)?$/i;
/** A base path of plain segments, as a stage or a custom domain's mapping gives. */
const BASE_PATH = /^(?:\/[A-Za-z0-9._~-]+)*$/;

/**
 * `scheme://domain` + `basePath`, from what API Gateway or Lambda itself records about the call,
 * never from the caller's `Host` or `X-Forwarded-*` headers, which anyone can set. Empty (so URLs
 * are relative) when the domain is missing or malformed: no caller-supplied text can end up in
 * front of a path.
 */
function baseUrl(domain: string | undefined, basePath: string): string {
  if (domain === undefined || !HOST.test(domain)) return '';
  return `${LOOPBACK.test(domain) ? 'http' : 'https'}://${domain}${BASE_PATH.test(basePath) ? basePath : ''}`;
}

const stagePath = (stage: string | undefined) => (stage && stage !== '$default' ? `/${stage}` : '');

/**
 * A REST API's base: the stage on an execute-api host; on a custom domain, the base path mapping,
 * which `requestContext.path` holds in front of `path`.
 */
export function restApiBaseUrl(event: Pick<APIGatewayProxyEvent, 'path' | 'requestContext'>): string {
  const context = event.requestContext;
  const domain = context?.domainName ?? undefined;
  if (domain !== undefined && EXECUTE_API.test(domain)) return baseUrl(domain, stagePath(context.stage));
  const fullPath = context?.path;
  const prefix = fullPath?.endsWith(event.path) ? fullPath.slice(0, fullPath.length - event.path.length) : '';
  return baseUrl(domain, prefix);
}

/**
 * An HTTP API's or function URL's base: a named stage on an execute-api host; nothing on a
 * function URL. (Payload 2.0 does not carry a custom domain's mapping.)
 */
export function httpApiBaseUrl(event: Pick<APIGatewayProxyEventV2, 'requestContext'>): string {
  const domain = event.requestContext?.domainName;
  return baseUrl(domain, domain !== undefined && EXECUTE_API.test(domain) ? stagePath(event.requestContext.stage) : '');
}

/** The URL of a request's status (relative when the base is unknown). */
export function statusUrl(base: string, requestId: string): string {
  return `${base}${statusPath(requestId)}`;
}
