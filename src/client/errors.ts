import type { RequestView } from '../contract.js';

/** The parts of an error body the API sends: `{error, error_code, field?}` or API Gateway's `{message}`. */
function describeBody(body: unknown): { sentence?: string; code?: string } {
  if (typeof body !== 'object' || body === null) return typeof body === 'string' && body !== '' ? { sentence: body.slice(0, 200) } : {};
  const fields = body as Record<string, unknown>;
  const sentence = typeof fields.error === 'string' ? fields.error : typeof fields.message === 'string' ? fields.message : undefined;
  const code = typeof fields.error_code === 'string' ? fields.error_code : undefined;
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
