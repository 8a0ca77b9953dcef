import type { RequestView } from '../contract.js';

const text = (value: unknown): string | undefined => (typeof value === 'string' && value !== '' ? value : undefined);

/**
 * The parts of an error body the API sends: `{error, error_code, field?}`, `{error: {code, message}}`,
 * or API Gateway's `{message}`.
 */
function describeBody(body: unknown): { sentence?: string; code?: string } {
  if (typeof body !== 'object' || body === null) return typeof body === 'string' && body !== '' ? { sentence: body.slice(0, 200) } : {};
  const fields = body as Record<string, unknown>;
  const nested = typeof fields.error === 'object' && fields.error !== null ? (fields.error as Record<string, unknown>) : {};
  const sentence = text(fields.error) ?? text(nested.message) ?? text(fields.message);
  const code = text(fields.error_code) ?? text(nested.code);
  return { ...(sentence !== undefined ? { sentence } : {}), ...(code !== undefined ? { code } : {}) };
}

/** Every error the client throws of its own (an aborted call rejects with the signal's reason instead). */
export class ClientError extends Error {}

/** The API answered with a status that is not a success. */
export class HttpError extends ClientError {
  override readonly name: string = 'HttpError';
  /** The API's `error_code`, when the body has one. */
  readonly code: string | undefined;

  constructor(
    readonly method: string,
    readonly url: string,
    readonly status: number,
    /** The parsed JSON body, or the text when it is not JSON. */
    readonly body: unknown,
    /** The `Retry-After` delay the answer asked for, in milliseconds. */
    readonly retryAfterMs?: number,
  ) {
    const { sentence, code } = describeBody(body);
    super(`${method} ${url} answered ${status}${sentence !== undefined ? `: ${sentence}` : ''}`);
    this.code = code;
  }
}

/** An attribute of a `WWW-Authenticate: Bearer` challenge (RFC 6750 §3): `error`, `error_description`. */
function challengeAttribute(header: string | null, name: string): string | undefined {
  const match = new RegExp(`(?:^|[\\s,])${name}="((?:[^"\\\\]|\\\\.)*)"`, 'i').exec(header ?? '');
  return match === null ? undefined : match[1]!.replace(/\\(.)/g, '$1');
}

/**
 * `401`: the API did not accept who the caller says it is (no token, or one expired, forged or
 * meant for another API). Retrying cannot fix it: sign in again, or send a valid token or key.
 */
export class UnauthorizedError extends HttpError {
  override readonly name = 'UnauthorizedError';
  /** The challenge's `error` (`invalid_token`); undefined when the call carried no credentials at all. */
  readonly challenge: string | undefined;
  /** The API's sentence for why, fit to show a person. */
  readonly reason: string;

  constructor(method: string, url: string, body: unknown, wwwAuthenticate: string | null) {
    const description = challengeAttribute(wwwAuthenticate, 'error_description');
    // With no sentence in the body, the challenge's description stands in for one.
    super(method, url, 401, describeBody(body).sentence === undefined && description !== undefined ? { error: description } : body);
    this.challenge = challengeAttribute(wwwAuthenticate, 'error');
    this.reason = describeBody(body).sentence ?? description ?? 'The API refused the credentials; sign in again.';
  }
}

/** The error for a non-2xx answer: an {@link UnauthorizedError} for 401, else an {@link HttpError}. */
export function httpErrorFor(method: string, url: string, response: Pick<Response, 'status' | 'headers'>, body: unknown, retryAfterMs?: number): HttpError {
  if (response.status === 401) return new UnauthorizedError(method, url, body, response.headers.get('WWW-Authenticate'));
  return new HttpError(method, url, response.status, body, retryAfterMs);
}

/** No answer came: the connection failed, or the call got none in time. `cause` is what the network said. */
export class NetworkError extends ClientError {
  override readonly name = 'NetworkError';
  /** The system's error code when there is one (`ECONNREFUSED`, `ENOTFOUND`, ...). */
  readonly code: string | undefined;

  constructor(
    readonly method: string,
    readonly url: string,
    cause: unknown,
  ) {
    const code = systemCode(cause);
    super(`${method} ${url} failed: ${cause instanceof Error ? cause.message : String(cause)}${code !== undefined ? ` (${code})` : ''}`, { cause });
    this.code = code;
  }
}

/** fetch wraps the socket's error: `TypeError: fetch failed` with `cause.code` (Node) or none (browsers). */
function systemCode(error: unknown): string | undefined {
  for (let current = error, depth = 0; current instanceof Error && depth < 3; current = current.cause, depth += 1) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string') return code;
  }
  return undefined;
}

/** `wait` gave up after its `timeoutMs`; the request itself may still finish later. */
export class TimeoutError extends ClientError {
  override readonly name = 'TimeoutError';

  constructor(
    readonly requestId: string,
    readonly timeoutMs: number,
    /** The last view seen before giving up, if any. */
    readonly lastView?: RequestView,
  ) {
    super(`request ${requestId} did not finish within ${timeoutMs} ms`);
  }
}

/** The request ended as `error`; `message` is the API's sentence for why. */
export class RequestFailedError extends ClientError {
  override readonly name = 'RequestFailedError';
  readonly request_id: string;
  readonly error_code: string;

  constructor(readonly view: RequestView) {
    super(view.error ?? `request ${view.request_id} failed`);
    this.request_id = view.request_id;
    this.error_code = view.error_code ?? 'unknown';
  }
}
