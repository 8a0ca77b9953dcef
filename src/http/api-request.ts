import type { APIGatewayProxyEvent, APIGatewayProxyEventV2 } from 'aws-lambda';
import { bearerToken, type FrontIdentity } from '../auth/principal.js';
import { ROUTES } from '../contract.js';
import { httpApiBaseUrl, restApiBaseUrl } from './base-url.js';

/**
 * One HTTP call to the API, whichever front delivered it: a REST API (payload 1.0), an HTTP API
 * or a Lambda function URL (payload 2.0). The routes read only this.
 */
export interface ApiRequest {
  method: string;
  /** The API's resource that matched (`/v1/status/{request_id}`), or undefined when none did. */
  resource: string | undefined;
  /**
   * The front's own resource (`/{proxy+}`) when it matched a path one of the API's resources
   * declares: the deployment routed the call past that resource, so the API does not serve it.
   */
  catchAll?: string;
  /** The path as the caller sent it, for messages and logs. */
  path: string;
  params: Record<string, string>;
  query: Record<string, string | undefined>;
  /** Header names lower-cased; a header sent twice holds its values joined by commas. */
  headers: Record<string, string>;
  /** Every `Content-Type` value the caller sent, to refuse a body declared twice. */
  contentTypes: string[];
  body: string | null;
  isBase64Encoded: boolean;
  /** Everything the front verified about the caller, and the bearer token it did not: see auth/principal.ts. */
  identity: FrontIdentity;
  /** Where the API is reached, from what the front itself records: `https://host/stage`, or '' when unknown. */
  baseUrl: string;
}

function lowerCased(headers: Record<string, string | undefined> | null | undefined): Record<string, string> {
  const result: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers ?? {})) {
    if (value === undefined) continue;
    const key = name.toLowerCase();
    result[key] = result[key] === undefined ? value : `${result[key]},${value}`;
  }
  return result;
}

const text = (value: unknown): string | undefined => (typeof value === 'string' && value !== '' ? value : undefined);
const record = (value: unknown): Record<string, unknown> | undefined => (typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : undefined);

/** Only what the front put there counts: a caller can send any header, but cannot write the request context. */
function identityOf(fields: { apiKeyId?: unknown; claims?: unknown; iamCaller?: unknown }, headers: Record<string, string>): FrontIdentity {
  const apiKeyId = text(fields.apiKeyId);
  const claims = record(fields.claims);
  const iamCaller = text(fields.iamCaller);
  const bearer = bearerToken(headers.authorization);
  return {
    ...(apiKeyId !== undefined ? { apiKeyId } : {}),
    ...(claims !== undefined ? { claims } : {}),
    ...(iamCaller !== undefined ? { iamCaller } : {}),
    ...(bearer !== undefined ? { bearer } : {}),
  };
}

/**
 * A REST API event. Routed by `resource`, never by the path: a call through the `{proxy+}`
 * catch-all (which may carry no API key requirement) is not found, whatever its path looks like.
 */
export function fromRestEvent(event: APIGatewayProxyEvent): ApiRequest {
  const resource = Object.values(ROUTES).some((route) => route.resource === event.resource) ? event.resource : undefined;
  const apiKeyId = event.requestContext?.identity?.apiKeyId;
  const multi = Object.entries(event.multiValueHeaders ?? {}).flatMap(([name, values]) => (name.toLowerCase() === 'content-type' ? (values ?? []) : []));
  const headers = lowerCased(event.headers);
  const path = event.path ?? '';
  const catchAll = resource === undefined && event.resource !== undefined && ROUTE_PATTERNS.some(({ pattern }) => pattern.test(path)) ? event.resource : undefined;
  return {
    method: (event.httpMethod ?? '').toUpperCase(),
    resource,
    ...(catchAll !== undefined ? { catchAll } : {}),
    path,
    params: { ...(event.pathParameters as Record<string, string> | null) },
    query: { ...event.queryStringParameters },
    headers,
    contentTypes: multi.length > 0 ? multi : headers['content-type'] !== undefined ? [headers['content-type']] : [],
    body: event.body,
    isBase64Encoded: event.isBase64Encoded ?? false,
    // A Cognito user pool authorizer records the token's claims here.
    identity: identityOf({ apiKeyId, claims: record(event.requestContext?.authorizer)?.claims }, headers),
    baseUrl: restApiBaseUrl(event),
  };
}

/** The route templates as patterns: a `{name}` segment matches one path segment. */
const ROUTE_PATTERNS = Object.values(ROUTES).map(({ resource }) => ({
  resource,
  names: [...resource.matchAll(/\{([^}]+)\}/g)].map((match) => match[1]!),
  pattern: new RegExp(`^${resource.replace(/\{[^}]+\}/g, '([^/]+)')}$`),
}));

function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment; // the route then refuses it as a malformed value
  }
}

/**
 * An HTTP API or function URL event (payload 2.0). With routes declared per path, `routeKey`
 * ("POST /v1/invoke") names the resource; behind a `$default` route or a function URL, the path
 * (without a named stage in front) must be exactly one of the API's.
 */
export function fromHttpApiEvent(event: APIGatewayProxyEventV2): ApiRequest {
  const context = event.requestContext;
  const rawPath = event.rawPath ?? context?.http?.path ?? '';
  const stagePrefix = context?.stage && context.stage !== '$default' ? `/${context.stage}` : '';
  const path = stagePrefix !== '' && rawPath.startsWith(`${stagePrefix}/`) ? rawPath.slice(stagePrefix.length) : rawPath;
  const declared = event.routeKey && event.routeKey !== '$default' ? event.routeKey.slice(event.routeKey.indexOf(' ') + 1) : undefined;
  let resource: string | undefined;
  let params: Record<string, string> = {};
  for (const route of ROUTE_PATTERNS) {
    if (declared !== undefined) {
      if (declared !== route.resource) continue;
      resource = route.resource;
      params = { ...(event.pathParameters as Record<string, string> | undefined) };
      break;
    }
    const match = route.pattern.exec(path);
    if (match === null) continue;
    resource = route.resource;
    params = Object.fromEntries(route.names.map((name, index) => [name, decodeSegment(match[index + 1]!)]));
    break;
  }
  const headers = lowerCased(event.headers);
  const authorizer = (context as { authorizer?: unknown } | undefined)?.authorizer;
  return {
    method: (context?.http?.method ?? '').toUpperCase(),
    resource,
    path: rawPath,
    params,
    query: { ...event.queryStringParameters },
    headers,
    contentTypes: headers['content-type'] !== undefined ? [headers['content-type']] : [],
    body: event.body ?? null,
    isBase64Encoded: event.isBase64Encoded ?? false,
    // An HTTP API JWT authorizer records `jwt.claims`; AWS_IAM (HTTP API route or function URL) records `iam`.
    identity: identityOf({ claims: record(record(authorizer)?.jwt)?.claims, iamCaller: record(record(authorizer)?.iam)?.userArn }, headers),
    baseUrl: httpApiBaseUrl(event),
  };
}
