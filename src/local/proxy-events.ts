import { LOCAL_FUNCTION_URL_API_ID } from '../streaming.js';
import type { IncomingMessage } from 'node:http';
import type { APIGatewayProxyEvent, APIGatewayProxyEventV2 } from 'aws-lambda';
import { ROUTES } from '../contract.js';

const TEXT_TYPES = /^(application\/(json|x-www-form-urlencoded|xml|.*\+json)|text\/)/i;

/**
 * The resources the deployed REST API defines (see terraform/api.tf), as patterns: a `{name}`
 * segment matches one path segment. Anything else hits `{proxy+}`.
 */
const RESOURCES = Object.values(ROUTES).map(({ resource }) => {
  const param = /\{([^}]+)\}/.exec(resource)?.[1];
  return { resource, param, pattern: new RegExp(`^${resource.replace(/\{[^}]+\}/g, '([^/]+)')}$`) };
});

/** What the front knows of one call besides the request itself. */
export interface CallContext {
  url: URL;
  body: Buffer;
  requestId: string;
  /** The front's own host:port: the gateway puts its own domain there; the client's `Host` is the client's to forge. */
  domainName: string;
  stage: string;
  accountId: string;
}

/** A URL path, or one of its segments, decoded; undefined when it is not valid percent-encoding (`%ZZ`, a lone `%`). */
export function decodeSegment(segment: string): string | undefined {
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined;
  }
}

/** The client's headers as sent, but for X-Forwarded-Proto, which the front sets itself. */
function forwardedHeaders(request: IncomingMessage): Array<[string, string]> {
  const pairs: Array<[string, string]> = [];
  for (let index = 0; index < request.rawHeaders.length; index += 2) {
    const name = request.rawHeaders[index]!;
    if (name.toLowerCase() !== 'x-forwarded-proto') pairs.push([name, request.rawHeaders[index + 1]!]);
  }
  pairs.push(['X-Forwarded-Proto', 'http']);
  return pairs;
}

/** A body as the gateway passes it: text types as text, anything else base64. */
function encodedBody(request: IncomingMessage, body: Buffer): { body: string | null; isBase64Encoded: boolean } {
  const isText = body.length === 0 || TEXT_TYPES.test(String(request.headers['content-type'] ?? 'application/json'));
  return { body: body.length === 0 ? null : isText ? body.toString('utf8') : body.toString('base64'), isBase64Encoded: !isText };
}

/** A REST API (payload 1.0) proxy event, with the resource API Gateway would match. */
export function restApiEvent(request: IncomingMessage, call: CallContext): APIGatewayProxyEvent {
  const path = call.url.pathname;
  const found = RESOURCES.map((route) => ({ route, match: route.pattern.exec(path) })).find(({ match }) => match !== null);
  const resource = found?.route.resource ?? '/{proxy+}';
  const segment = found?.match![1];
  // A segment that does not decode goes on as it came; the function then refuses it as a bad value.
  const param = found?.route.param !== undefined && segment !== undefined ? { [found.route.param]: decodeSegment(segment) ?? segment } : null;

  const headers: Record<string, string> = {};
  const multiValueHeaders: Record<string, string[]> = {};
  for (const [name, value] of forwardedHeaders(request)) {
    headers[name] = value;
    (multiValueHeaders[name] ??= []).push(value);
  }
  const query: Record<string, string> = {};
  const multiQuery: Record<string, string[]> = {};
  for (const [key, value] of call.url.searchParams) {
    query[key] = value;
    (multiQuery[key] ??= []).push(value);
  }
  const hasQuery = call.url.searchParams.size > 0;
  return {
    resource,
    path,
    httpMethod: request.method ?? 'GET',
    headers,
    multiValueHeaders,
    queryStringParameters: hasQuery ? query : null,
    multiValueQueryStringParameters: hasQuery ? multiQuery : null,
    pathParameters: found === undefined ? { proxy: path.slice(1) } : param,
    stageVariables: null,
    ...encodedBody(request, call.body),
    requestContext: {
      accountId: call.accountId,
      apiId: 'local',
      authorizer: null,
      protocol: `HTTP/${request.httpVersion}`,
      httpMethod: request.method ?? 'GET',
      // The local front serves the API at the root, so the full path equals `path`.
      path,
      stage: call.stage,
      requestId: call.requestId,
      requestTimeEpoch: Date.now(),
      resourceId: resource,
      resourcePath: resource,
      domainName: call.domainName,
      identity: callerIdentity(request.socket.remoteAddress ?? '127.0.0.1', String(request.headers['user-agent'] ?? '')),
    },
  };
}

/** A Lambda function URL event (payload 2.0): one `$default` route, header names lower-cased, repeats joined by commas. */
export function functionUrlEvent(request: IncomingMessage, call: CallContext): APIGatewayProxyEventV2 {
  const headers: Record<string, string> = {};
  for (const [name, value] of forwardedHeaders(request)) {
    const key = name.toLowerCase();
    headers[key] = headers[key] === undefined ? value : `${headers[key]},${value}`;
  }
  const query: Record<string, string> = {};
  for (const [key, value] of call.url.searchParams) query[key] = query[key] === undefined ? value : `${query[key]},${value}`;
  const now = new Date();
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath: call.url.pathname,
    rawQueryString: call.url.search.slice(1),
    headers,
    ...(call.url.searchParams.size > 0 ? { queryStringParameters: query } : {}),
    requestContext: {
      accountId: 'anonymous',
      apiId: LOCAL_FUNCTION_URL_API_ID,
      domainName: call.domainName,
      domainPrefix: 'local',
      http: {
        method: request.method ?? 'GET',
        path: call.url.pathname,
        protocol: `HTTP/${request.httpVersion}`,
        sourceIp: request.socket.remoteAddress ?? '127.0.0.1',
        userAgent: String(request.headers['user-agent'] ?? ''),
      },
      requestId: call.requestId,
      routeKey: '$default',
      stage: '$default',
      time: now.toUTCString(),
      timeEpoch: now.getTime(),
    },
    ...(encodedBody(request, call.body) as { body?: string; isBase64Encoded: boolean }),
  };
}

/**
 * An HTTP API (payload 2.0) event with routes declared per resource, as Terraform's `http_api`
 * front makes it: `routeKey` names the route; `claims`, when given, are what its JWT authorizer verified.
 */
export function httpApiEvent(request: IncomingMessage, call: CallContext, claims: Record<string, unknown> | undefined): APIGatewayProxyEventV2 {
  const event = functionUrlEvent(request, call);
  const path = call.url.pathname;
  const found = RESOURCES.map((route) => ({ route, match: route.pattern.exec(path) })).find(({ match }) => match !== null);
  const routeKey = found === undefined ? '$default' : `${event.requestContext.http.method} ${found.route.resource}`;
  const segment = found?.match![1];
  const param = found?.route.param !== undefined && segment !== undefined ? { [found.route.param]: decodeSegment(segment) ?? segment } : undefined;
  const authorizer = claims !== undefined ? { authorizer: { jwt: { claims, scopes: null } } } : {};
  return {
    ...event,
    routeKey,
    ...(param !== undefined ? { pathParameters: param } : {}),
    requestContext: { ...event.requestContext, accountId: call.accountId, routeKey, ...authorizer },
  } as APIGatewayProxyEventV2;
}

/** `requestContext.identity` of an unauthenticated call, as API Gateway fills it in. */
export function callerIdentity(sourceIp: string, userAgent: string): APIGatewayProxyEvent['requestContext']['identity'] {
  return {
    accessKey: null,
    accountId: null,
    apiKey: null,
    apiKeyId: null,
    caller: null,
    clientCert: null,
    cognitoAuthenticationProvider: null,
    cognitoAuthenticationType: null,
    cognitoIdentityId: null,
    cognitoIdentityPoolId: null,
    principalOrgId: null,
    sourceIp,
    user: null,
    userAgent,
    userArn: null,
  };
}
