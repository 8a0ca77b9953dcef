import type { APIGatewayProxyEvent } from 'aws-lambda';

/** A host name or IPv4 address with an optional port: nothing that could start a path or a scheme. */
const HOST = /^[a-z0-9](?:[a-z0-9.-]*[a-z0-9])?(?::\d{1,5})?$/i;
/** Only the local stack serves on loopback, and only over plain HTTP. */
const LOOPBACK = /^(?:127(?:\.\d{1,3}){3}|localhost)(?::\d{1,5})?$/i;
/** API Gateway's default domains, where the stage is the first path segment. */
const EXECUTE_API = /\.execute-api\.[a-z0-9-]+\.amazonaws\.com(?:\.cn)?$/i;
/** A base path of plain segments, as a custom domain's mapping gives. */
const BASE_PATH = /^(?:\/[A-Za-z0-9._~-]+)*$/;

type UrlEvent = Pick<APIGatewayProxyEvent, 'path' | 'requestContext'>;

/**
 * Where the API is reached, from what API Gateway itself records about the call: its domain, and
 * the stage (on an execute-api host) or the base path mapping (on a custom domain). Never from the
 * caller's `Host` or `X-Forwarded-*` headers, which anyone can set. Relative when the domain is
 * missing or malformed, so no caller-supplied text can end up in front of the path.
 */
export function apiBaseUrl(event: UrlEvent): string {
  const context = event.requestContext;
  const domain = context?.domainName ?? '';
  if (!HOST.test(domain)) return '';
  let basePath = '';
  if (EXECUTE_API.test(domain)) {
    basePath = context.stage && context.stage !== '$default' && BASE_PATH.test(`/${context.stage}`) ? `/${context.stage}` : '';
  } else if (context.path?.endsWith(event.path)) {
    const prefix = context.path.slice(0, context.path.length - event.path.length);
    basePath = BASE_PATH.test(prefix) ? prefix : '';
  }
  return `${LOOPBACK.test(domain) ? 'http' : 'https'}://${domain}${basePath}`;
}

/** The absolute URL of a request's status (relative only when the event names no valid domain). */
export function statusUrl(event: UrlEvent, requestId: string): string {
  return `${apiBaseUrl(event)}/v1/status/${encodeURIComponent(requestId)}`;
}
