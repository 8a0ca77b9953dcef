import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { APIGatewayProxyEvent, APIGatewayProxyEventV2, APIGatewayProxyResult } from 'aws-lambda';
import type { InvokeOutcome } from './lambda-scheduler.js';
import { EXPOSED_HEADERS } from '../contract.js';
import { close, listen } from './listen.js';
import { requestUrl } from './request-url.js';
import { bearerToken } from '../auth/principal.js';
import type { JwtVerifier } from '../auth/jwt-verifier.js';
import { functionUrlEvent, httpApiEvent, restApiEvent } from './proxy-events.js';
import { readBody } from './read-body.js';
import type { ResponseSink } from './runtime.js';
import { createPreludeReader } from './stream-prelude.js';
import { frontStreams } from '../streaming.js';

/** API Gateway's limit on a request payload. */
export const MAX_GATEWAY_PAYLOAD_BYTES = 10 * 1024 * 1024;
/** A function URL's limit: Lambda's own, for a synchronous invocation. */
export const MAX_FUNCTION_URL_PAYLOAD_BYTES = 6 * 1024 * 1024;

/** Which AWS front the local one plays: a REST API (payload 1.0), a Lambda function URL or an HTTP API (payload 2.0). */
export type Front = 'rest' | 'function_url' | 'http_api';
const CORS_FOR_GATEWAY_ERRORS = { 'Access-Control-Allow-Origin': '*', 'Access-Control-Expose-Headers': EXPOSED_HEADERS.join(',') };
const LAMBDA_THROTTLED = 429;
/** A REST API method in response transfer mode STREAM may stream for up to 15 minutes, not 29 s. */
export const REST_STREAM_TIMEOUT_MS = 15 * 60_000;

export interface StaticSite {
  /** Answers a GET for a path outside the API, or undefined when it has no such file. */
  get(path: string): Promise<{ contentType: string; body: Buffer } | undefined>;
}

export interface ApiGatewayOptions {
  /** With `sink`, a streaming invocation (InvokeWithResponseStream). */
  invoke(event: APIGatewayProxyEvent | APIGatewayProxyEventV2, sink?: ResponseSink): Promise<InvokeOutcome>;
  /** The REST API by default. */
  front?: Front;
  /** API Gateway's integration timeout: 29 s, shortened by tests; a function URL waits as long as the function runs. */
  timeoutMs: number;
  stage: string;
  accountId: string;
  site?: StaticSite;
  port?: number;
  /** `http_api` only: a JWT authorizer at the front, as HTTP API's own: no valid token, no call to the function. */
  jwtAuthorizer?: JwtVerifier;
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

function isProxyResult(value: unknown): value is APIGatewayProxyResult {
  if (typeof value !== 'object' || value === null) return false;
  const { statusCode } = value as APIGatewayProxyResult;
  return Number.isInteger(statusCode) && statusCode >= 100 && statusCode <= 599;
}

/**
 * An HTTP front that behaves like a REST API with Lambda proxy integrations (or like a function
 * URL): each request becomes a proxy event; bodies over the limit get 413; an integration slower
 * than the timeout gets 504 while the function runs on; a function error or malformed answer 502.
 */
export async function startApiGateway(options: ApiGatewayOptions): Promise<ApiGateway> {
  const front = options.front ?? 'rest';
  const maxPayloadBytes = front === 'function_url' ? MAX_FUNCTION_URL_PAYLOAD_BYTES : MAX_GATEWAY_PAYLOAD_BYTES;
  const server = createServer((request, response) => {
    void handle(request, response).catch(() => internalError(response));
  });
  let domainName = '';

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const requestId = randomUUID();
    const declared = Number(request.headers['content-length'] ?? 0);
    if (declared > maxPayloadBytes) {
      // Answer at once and drop the connection rather than read megabytes we will refuse.
      response.shouldKeepAlive = false;
      gatewayError(response, 413, 'Request Too Long', { Connection: 'close' });
      request.resume();
      return;
    }
    // A chunked upload declares no length: refuse it as soon as it passes the limit.
    const body = await readBody(request, maxPayloadBytes, { whenOver: 'at-once' });
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

    const call = { url, body, requestId, domainName, stage: options.stage, accountId: options.accountId };
    let event: APIGatewayProxyEvent | APIGatewayProxyEventV2;
    if (front === 'http_api') {
      const claims = await authorize(options.jwtAuthorizer, request);
      if (claims === 'refused') return gatewayError(response, 401, 'Unauthorized', { 'WWW-Authenticate': 'Bearer' });
      event = httpApiEvent(request, call, claims);
    } else {
      event = front === 'rest' ? restApiEvent(request, call) : functionUrlEvent(request, call);
    }
    const stream = frontStreams(event) ? streamTo(response, requestId) : undefined;
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), stream !== undefined && front === 'rest' ? REST_STREAM_TIMEOUT_MS : options.timeoutMs);
    });
    const outcome = await Promise.race([options.invoke(event, stream?.sink), timedOut]).finally(() => clearTimeout(timer));
    // A streamed answer is out already; a function that did not stream (no prelude) answered as any other.
    if (stream?.started()) return void response.end();
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

/** What an HTTP API JWT authorizer decides: the verified claims, nothing to check (no authorizer, a preflight), or refused. */
async function authorize(verifier: JwtVerifier | undefined, request: IncomingMessage): Promise<Record<string, unknown> | undefined | 'refused'> {
  if (verifier === undefined || request.method === 'OPTIONS') return undefined;
  const token = bearerToken(request.headers.authorization);
  if (token === undefined) return 'refused';
  try {
    return (await verifier.verify(token)).claims;
  } catch {
    return 'refused';
  }
}

/**
 * The sink of a streaming invocation: the prelude becomes the status and headers, sent at once,
 * and each body chunk is written (and flushed) as it comes. The caller hanging up aborts it.
 */
function streamTo(response: ServerResponse, requestId: string): { sink: ResponseSink; started(): boolean } {
  const controller = new AbortController();
  response.on('close', () => {
    if (!response.writableFinished) controller.abort();
  });
  let started = false;
  const write = createPreludeReader(
    (prelude) => {
      started = true;
      response.writeHead(prelude.statusCode ?? 200, { ...prelude.headers, ...(prelude.cookies?.length ? { 'Set-Cookie': prelude.cookies } : {}), 'x-amzn-RequestId': requestId });
      response.flushHeaders();
    },
    (chunk) => void response.write(chunk),
  );
  return { sink: { write, signal: controller.signal }, started: () => started };
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
