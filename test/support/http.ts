import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { validateResponse } from './openapi.js';

/** Real HTTP calls to a local stack (global fetch over loopback sockets), with the timing of each. */
export interface ApiResponse {
  status: number;
  headers: Headers;
  text: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  body: any;
  elapsedMs: number;
}

export interface CallOptions {
  body?: unknown;
  headers?: Record<string, string>;
}

/**
 * Sends one request; a string body is sent as is, anything else as JSON. Every answer is checked
 * against openapi/v1.yaml, so each test also proves the contract; a mismatch throws.
 */
export async function call(baseUrl: string, method: string, path: string, options: CallOptions = {}): Promise<ApiResponse> {
  const started = performance.now();
  const headers: Record<string, string> = { ...options.headers };
  let body: string | undefined;
  if (options.body !== undefined) {
    body = typeof options.body === 'string' ? options.body : JSON.stringify(options.body);
    headers['Content-Type'] ??= 'application/json';
  }
  const response = await fetch(`${baseUrl}${path}`, { method, headers, ...(body !== undefined ? { body } : {}) });
  const text = await response.text();
  let parsed: unknown;
  try {
    parsed = text === '' ? undefined : JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  validateResponse({ method, path, status: response.status, headers: response.headers, body: parsed });
  return { status: response.status, headers: response.headers, text, body: parsed, elapsedMs: performance.now() - started };
}

export function submit(baseUrl: string, body: unknown, headers: Record<string, string> = {}): Promise<ApiResponse> {
  return call(baseUrl, 'POST', '/v1/invoke', { body, headers });
}

/** Submits `body` and answers the request id; anything but a 202 throws, with the answer. */
export async function submitAccepted(baseUrl: string, body: unknown, headers: Record<string, string> = {}): Promise<string> {
  const response = await submit(baseUrl, body, headers);
  if (response.status !== 202) throw new Error(`POST /v1/invoke answered ${response.status}: ${response.text}`);
  return response.body.request_id as string;
}

export function status(baseUrl: string, requestId: string, query = ''): Promise<ApiResponse> {
  return call(baseUrl, 'GET', `/v1/status/${requestId}${query}`);
}

/**
 * Polls like the seed frontends do (every `intervalMs` until `complete` or `error`) and keeps every
 * response, so tests can check each call as well as the end. `timeoutMs` guards against a request
 * stuck for good, not a slow one: by default just under vitest's 60 s, so the failure names the request.
 */
export async function pollUntilTerminal(
  baseUrl: string,
  requestId: string,
  { intervalMs = 50, timeoutMs = 50_000 } = {},
): Promise<{ final: ApiResponse; responses: ApiResponse[] }> {
  const responses: ApiResponse[] = [];
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const response = await status(baseUrl, requestId);
    responses.push(response);
    if (response.status !== 200 || response.body.status === 'complete' || response.body.status === 'error') {
      return { final: response, responses };
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
  throw new Error(`request ${requestId} was not terminal after ${timeoutMs} ms`);
}

/**
 * One HTTP request with the path sent byte for byte (fetch would normalise it) and any headers,
 * `Host` included; answers the status, headers and body text. Not checked against the contract:
 * it is for what the front does with paths and headers no client should send.
 */
export function rawRequest(
  baseUrl: string,
  method: string,
  path: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; headers: IncomingHttpHeaders; text: string }> {
  const { hostname, port } = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const request = httpRequest({ hostname, port, method, path, headers, agent: false }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, text: Buffer.concat(chunks).toString('utf8') }));
      response.on('error', reject);
    });
    request.on('error', reject);
    request.end();
  });
}
