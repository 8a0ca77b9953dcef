import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import type { InvokeOutcome } from './lambda-scheduler.js';
import { EXPOSED_HEADERS, ROUTES } from '../contract.js';
import { close, listen } from './listen.js';
import { requestUrl } from './request-url.js';
import { readBody } from './read-body.js';

/** API Gateway's limit on a request payload. */
export const MAX_GATEWAY_PAYLOAD_BYTES = 10 * 1024 * 1024;
const CORS_FOR_GATEWAY_ERRORS = { 'Access-Control-Allow-Origin': '*', 'Access-Control-Expose-Headers': EXPOSED_HEADERS.join(',') };
const LAMBDA_THROTTLED = 429;
const TEXT_TYPES = /^(application\/(json|x-www-form-urlencoded|xml|.*\+json)|text\/)/i;

/**
 * The resources the deployed REST API defines (see terraform/api.tf), as patterns: a `{name}`
 * segment matches one path segment. Anything else hits `{proxy+}`.
 */
const RESOURCES: readonly { resource: string; pattern: RegExp; param?: string }[] = Object.values(ROUTES).map(({ resource }) => {
  const param = /\{([^}]+)\}/.exec(resource)?.[1];
  return { resource, pattern: new RegExp(`^${resource.replace(/\{[^}]+\}/g, '([^/]+)')}$`), ...(param !== undefined ? { param } : {}) };
});

export interface StaticSite {
  /** Answers a GET for a path outside the API, or undefined when it has no such file. */
  get(path: string): Promise<{ contentType: string; body: Buffer } | undefined>;
}

export interface ApiGatewayOptions {
  invoke(event: APIGatewayProxyEvent): Promise<InvokeOutcome>;
  /** API Gateway's integration timeout: 29 s, shortened by tests. */
  timeoutMs: number;
  stage: string;
  accountId: string;
  site?: StaticSite;
  port?: number;
}

export interface ApiGateway {
  url: string;
  server: Server;
  stop(): Promise<void>;
}

function send(response: ServerResponse, statusCode: number, headers: Record<string, string | string[]>, body: Buffer | string): void {
  response.writeHead(statusCode, { 'Content-Length': String(Buffer.byteLength(body)), ...headers }).end(body);
}

/** The answers API Gateway itself gives (not the function): a JSON `message`, with the CORS the deployment adds. */
function gatewayError(response: ServerResponse, statusCode: number, message: string, extra: Record<string, string> = {}): void {
  send(response, statusCode, { 'Content-Type': 'application/json', ...CORS_FOR_GATEWAY_ERRORS, ...extra }, JSON.stringify({ message }));
}

/** A URL path, or one of its segments, decoded; undefined when it is not valid percent-encoding (`%ZZ`, a lone `%`). */
export function decodeSegment(segment: string): string | undefined {
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined;
  }
}

/**
 * The v1 proxy event for `request`. `domainName` is the front's own host:port, as API Gateway puts
 * its own domain there; the client's `Host` header is forwarded but is the client's to forge.
 */
function toEvent(request: IncomingMessage, url: URL, body: Buffer, options: ApiGatewayOptions, requestId: string, domainName: string): APIGatewayProxyEvent {
  const path = url.pathname;
  const found = RESOURCES.map((route) => ({ route, match: route.pattern.exec(path) })).find(({ match }) => match !== null);
  const resource = found?.route.resource ?? '/{proxy+}';
  const segment = found?.match![1];
  // A segment that does not decode goes on as it came; the function then refuses it as a bad value.
  const param = found?.route.param !== undefined && segment !== undefined ? { [found.route.param]: decodeSegment(segment) ?? segment } : null;
  const pathParameters = found === undefined ? { proxy: path.slice(1) } : param;

  const headers: Record<string, string> = {};
  const multiValueHeaders: Record<string, string[]> = {};
  for (let index = 0; index < request.rawHeaders.length; index += 2) {
    const name = request.rawHeaders[index]!;
    const value = request.rawHeaders[index + 1]!;
    // The gateway sets X-Forwarded-Proto itself; a client's, in any spelling, must not reach the function.
    if (name.toLowerCase() === 'x-forwarded-proto') continue;
    headers[name] = value;
    (multiValueHeaders[name] ??= []).push(value);
  }
  headers['X-Forwarded-Proto'] = 'http';
  multiValueHeaders['X-Forwarded-Proto'] = ['http'];

  const query: Record<string, string> = {};
  const multiQuery: Record<string, string[]> = {};
  for (const [key, value] of url.searchParams) {
    query[key] = value;
    (multiQuery[key] ??= []).push(value);
  }
  const contentType = String(request.headers['content-type'] ?? 'application/json');
  const isText = body.length === 0 || TEXT_TYPES.test(contentType);
  const now = Date.now();
  return {
    resource,
    path,
    httpMethod: request.method ?? 'GET',
    headers,
    multiValueHeaders,
    queryStringParameters: url.searchParams.size > 0 ? query : null,
    multiValueQueryStringParameters: url.searchParams.size > 0 ? multiQuery : null,
    pathParameters,
    stageVariables: null,
    body: body.length === 0 ? null : isText ? body.toString('utf8') : body.toString('base64'),
    isBase64Encoded: !isText,
    requestContext: {
      accountId: options.accountId,
      apiId: 'local',
      authorizer: null,
      protocol: `HTTP/${request.httpVersion}`,
      httpMethod: request.method ?? 'GET',
      // The local front serves the API at the root, so the full path equals `path`.
      path,
      stage: options.stage,
      requestId,
      requestTimeEpoch: now,
      resourceId: resource,
      resourcePath: resource,
      domainName,
      identity: callerIdentity(request.socket.remoteAddress ?? '127.0.0.1', String(request.headers['user-agent'] ?? '')),
    },
  };
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

function isProxyResult(value: unknown): value is APIGatewayProxyResult {
  if (typeof value !== 'object' || value === null) return false;
  const { statusCode } = value as APIGatewayProxyResult;
  return Number.isInteger(statusCode) && statusCode >= 100 && statusCode <= 599;
}

/**
 * An HTTP front that behaves like a REST API with Lambda proxy integrations: each request becomes
 * a v1 proxy event; bodies over 10 MB get 413; an integration slower than the timeout gets 504
 * while the function runs on; a function error or malformed answer gets 502.
 */
export async function startApiGateway(options: ApiGatewayOptions): Promise<ApiGateway> {
  const server = createServer((request, response) => {
    void handle(request, response).catch(() => internalError(response));
  });
  let domainName = '';

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const requestId = randomUUID();
    const declared = Number(request.headers['content-length'] ?? 0);
    if (declared > MAX_GATEWAY_PAYLOAD_BYTES) {
      // Answer at once and drop the connection rather than read 10 MB we will refuse.
      response.shouldKeepAlive = false;
      gatewayError(response, 413, 'Request Too Long', { Connection: 'close' });
      request.resume();
      return;
    }
    // A chunked upload declares no length: refuse it as soon as it passes the limit.
    const body = await readBody(request, MAX_GATEWAY_PAYLOAD_BYTES, { whenOver: 'at-once' });
    if (body === undefined) {
      response.shouldKeepAlive = false;
      return gatewayError(response, 413, 'Request Too Long', { Connection: 'close' });
    }

    const url = requestUrl(request.url);
    if (url === undefined) return gatewayError(response, 400, 'Bad Request');
    if (options.site !== undefined && request.method === 'GET' && !url.pathname.startsWith('/v1/')) {
      const file = await options.site.get(url.pathname);
      if (file !== undefined) return send(response, 200, { 'Content-Type': file.contentType, 'Cache-Control': 'no-cache' }, file.body);
    }

    const event = toEvent(request, url, body, options, requestId, domainName);
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), options.timeoutMs);
    });
    const outcome = await Promise.race([options.invoke(event), timedOut]).finally(() => clearTimeout(timer));
    if (outcome === 'timeout') return gatewayError(response, 504, 'Endpoint request timed out');
    // A throttled Lambda never ran, so API Gateway reports an integration failure, not a bad answer.
    if (outcome.statusCode === LAMBDA_THROTTLED) return gatewayError(response, 500, 'Internal server error');
    if (outcome.functionError !== undefined || !isProxyResult(outcome.payload)) {
      return gatewayError(response, 502, 'Internal server error');
    }
    const result = outcome.payload;
    const headers: Record<string, string | string[]> = { 'x-amzn-RequestId': requestId };
    for (const [name, value] of Object.entries(result.headers ?? {})) headers[name] = String(value);
    for (const [name, values] of Object.entries(result.multiValueHeaders ?? {})) headers[name] = values.map(String);
    const responseBody = result.isBase64Encoded ? Buffer.from(result.body ?? '', 'base64') : Buffer.from(result.body ?? '', 'utf8');
    send(response, result.statusCode, headers, responseBody);
  }

  const url = await listen(server, options.port ?? 0);
  domainName = new URL(url).host;
  return { url, server, stop: () => close(server) };
}

/** What any failure inside the front answers: never the exception, which stays in this process. */
function internalError(response: ServerResponse): void {
  try {
    if (response.headersSent) response.destroy();
    else gatewayError(response, 500, 'Internal server error');
  } catch {
    response.destroy();
  }
}
