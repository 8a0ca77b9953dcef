import { abortReason, delay } from '../delay.js';
import { HttpError, NetworkError, RequestFailedError, TimeoutError, httpErrorFor } from './errors.js';
import { DEFAULT_RETRY, backoffMs, isRetryableStatus, parseRetryAfter, type RetryPolicy } from './retry.js';
import { anySignal } from './signals.js';
import { listRequests, type ListOptions, type RequestPage, type RequestPages } from './list.js';
import { followEvents, type EventsOptions } from './events.js';
import { download, type DownloadDeps, type DownloadInfo, type DownloadOptions, type Downloaded } from './download.js';
import {
  INVOKE_PATH,
  MAX_WAIT_SECONDS,
  RequestStatus,
  changeFingerprint,
  statusPath,
  WEBHOOK_SECRET_PATH,
  type WebhookSecret,
  type CompleteView,
  type RequestView,
  type SubmitInput,
  type SubmitResult,
  type StreamEvent,
} from '../contract.js';

/** Long-poll length `wait` asks for: well inside API Gateway's 29 s integration cut. */
export const DEFAULT_WAIT_SECONDS = 20;
/** Pause between plain polls when the API gives no `Retry-After`. */
const DEFAULT_POLL_MS = 1000;
/** A call gets this long beyond its long-poll before it counts as lost and is retried. */
const ATTEMPT_GRACE_MS = 35_000;
/** A long-poll answered sooner than this share of its wait, and unchanged, was not held: sleep instead. */
const HELD_SHARE = 0.5;

/** The `fetch` the client calls; the global one by default. */
export type FetchLike = (input: string, init: RequestInit) => Promise<Response>;

/** Gives the bearer token to send (none: undefined); asked before every call, so it can hand out a refreshed one. */
export type TokenSource = () => string | undefined | Promise<string | undefined>;

export interface ClientOptions {
  /** Where the API lives, with any stage path: `https://abc.execute-api.eu-west-1.amazonaws.com/prod`. `''` means this origin. */
  baseUrl: string;
  /** Sent as `x-api-key` when the deployment requires an API Gateway key. */
  apiKey?: string;
  /** Sent as `Authorization: Bearer` when the API signs users in: a token, or a function asked before every call. */
  token?: string | TokenSource;
  fetch?: FetchLike;
  retry?: Partial<RetryPolicy>;
}

export interface SubmitOptions {
  /** Makes the call safe to repeat: the same key and body give the same request. Also lets the client retry network failures. */
  idempotencyKey?: string;
  signal?: AbortSignal;
}

export interface GetOptions {
  signal?: AbortSignal;
  /** Long-poll: the API holds the call until the request changes or this many seconds (0-25) pass. */
  waitSeconds?: number;
}

export interface WaitOptions {
  signal?: AbortSignal;
  /** Called with each view whose status or progress differs from the last one seen. */
  onProgress?: (view: RequestView) => void;
  /** Give up with a {@link TimeoutError} after this long; unlimited when absent. */
  timeoutMs?: number;
  /** Long-poll length per call (0-25, default 20); 0 polls, sleeping `Retry-After` between calls. */
  waitSeconds?: number;
  /**
   * `true` (default): a result too large to carry inline is fetched from `result_url` into `result`.
   * `false`: resolve with the view as the API gave it, for a caller that streams it with `download`.
   */
  fetchResult?: boolean;
}

/** A complete view as the API gives it: the result inline, or only linked by `result_url`. */
export type CompleteLinkedView<Result = unknown> = RequestView<Result> & { status: 'complete' };

/** A typed client for the v1 API. */
export interface Client {
  /** `POST /v1/invoke`. Retries 429 and 503 (nothing was started); network failures only with an idempotency key. */
  submit(input: SubmitInput, options?: SubmitOptions): Promise<SubmitResult>;
  /** `GET /v1/status/{id}`, once. */
  get(requestId: string, options?: GetOptions): Promise<RequestView>;
  /** `DELETE /v1/status/{id}`: the request ends as `error` with `error_code: "cancelled"`. */
  cancel(requestId: string, options?: { signal?: AbortSignal }): Promise<RequestView>;
  /**
   * `GET /v1/requests`: the caller's own requests, newest first, as an async iterator over pages
   * (`items()` over requests); each page is read when the loop reaches it, riding out 429/5xx.
   */
  list(options?: ListOptions): RequestPages;

  /**
   * `GET /v1/status/{id}/events`: `for await (const event of client.events(id))` gets the
   * request's status, step, progress and output events as they happen, and `end` (the final
   * view) last. Reconnects by itself after the last event received, so nothing is missed or
   * repeated; `after` resumes from an event id kept earlier (say, across a page reload).
   */
  events(requestId: string, options?: EventsOptions): AsyncGenerator<StreamEvent>;
  /** `GET /v1/webhook-secret`: the `whsec_` secret that verifies this caller's webhooks (and no other caller's). */
  webhookSecret(options?: { signal?: AbortSignal }): Promise<string>;
  /**
   * Long-polls until the request is terminal and resolves with the complete view; throws
   * {@link RequestFailedError} when it ends as `error`, {@link TimeoutError} after `timeoutMs`,
   * the signal's reason when aborted, and {@link HttpError} for answers that retrying cannot fix.
   */
  wait<Result = unknown>(target: string | Pick<SubmitResult, 'request_id'>, options?: WaitOptions & { fetchResult?: true }): Promise<CompleteView<Result>>;
  wait<Result = unknown>(target: string | Pick<SubmitResult, 'request_id'>, options: WaitOptions & { fetchResult: false }): Promise<CompleteLinkedView<Result>>;
  wait<Result = unknown>(target: string | Pick<SubmitResult, 'request_id'>, options?: WaitOptions): Promise<CompleteLinkedView<Result>>;
  /**
   * The bytes of a complete request: without `name` its result (the inline `result` as JSON, or
   * what `result_url` holds), with `name` the artifact of that name. `target` is a view (say, from
   * `wait`) or a request id (read first). Presigned URLs get no API key; one refused as expired is
   * replaced by reading the request again, once. With `options.into` the bytes stream into that
   * `WritableStream` and the answer has no `bytes`.
   * Throws {@link DownloadError} (`not_complete`, `unknown_artifact` naming the files there are,
   * `incomplete`), {@link RequestFailedError} for a request that ended as `error`,
   * {@link ExpiredUrlError} (an {@link HttpError}, 403), other {@link HttpError}s and {@link NetworkError}.
   */
  download(target: string | RequestView, name?: string, options?: DownloadOptions & { into?: undefined }): Promise<Downloaded>;
  download(target: string | RequestView, name: string | undefined, options: DownloadOptions & { into: WritableStream<Uint8Array> }): Promise<DownloadInfo>;
  download(target: string | RequestView, name?: string, options?: DownloadOptions): Promise<Downloaded | DownloadInfo>;
}

interface Answer {
  status: number;
  headers: Headers;
  body: unknown;
}

function parseBody(text: string): unknown {
  if (text === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

function clampWait(seconds: number): number {
  return Math.min(MAX_WAIT_SECONDS, Math.max(0, Math.floor(seconds)));
}

export function createClient(options: ClientOptions): Client {
  const baseUrl = options.baseUrl.replace(/\/+$/, '');
  // Wrapped so the browser's fetch is never called detached from `window` ("Illegal invocation").
  const doFetch: FetchLike = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
  const policy: RetryPolicy = { ...DEFAULT_RETRY, ...options.retry };

  /** The headers of every call: what it asks for, and the API key. */
  /** A call's headers: the key, and the token as it is now (a token source is asked before every call, retries included). */
  async function headersFor(accept: string, extra: Record<string, string> = {}): Promise<Record<string, string>> {
    const token = typeof options.token === 'function' ? await options.token() : options.token;
    return {
      Accept: accept,
      ...extra,
      ...(options.apiKey !== undefined ? { 'x-api-key': options.apiKey } : {}),
      ...(token !== undefined ? { Authorization: `Bearer ${token}` } : {}),
    };
  }

  /** One HTTP exchange; non-2xx answers become {@link HttpError}, no answer a {@link NetworkError}. */
  async function send(method: string, path: string, init: { body?: unknown; headers?: Record<string, string>; signal?: AbortSignal; graceMs?: number }): Promise<Answer> {
    const url = `${baseUrl}${path}`;
    const headers = await headersFor('application/json', init.headers);
    if (init.body !== undefined) headers['Content-Type'] = 'application/json';
    // A call that never answers (a dead connection) must not hang a waiter forever.
    const attempt = new AbortController();
    const graceMs = init.graceMs ?? ATTEMPT_GRACE_MS;
    const timer = setTimeout(() => attempt.abort(new Error(`no answer within ${graceMs} ms`)), graceMs);
    const linked = anySignal([init.signal, attempt.signal]);
    try {
      const response = await doFetch(url, {
        method,
        headers,
        signal: linked.signal,
        ...(init.body !== undefined ? { body: JSON.stringify(init.body) } : {}),
      });
      const body = parseBody(await response.text());
      if (!response.ok) {
        throw httpErrorFor(method, url, response, body, parseRetryAfter(response.headers.get('Retry-After')));
      }
      return { status: response.status, headers: response.headers, body };
    } catch (error) {
      if (init.signal?.aborted) throw abortReason(init.signal);
      if (error instanceof HttpError) throw error;
      throw new NetworkError(method, url, attempt.signal.aborted ? attempt.signal.reason : error);
    } finally {
      clearTimeout(timer);
      linked.dispose();
    }
  }

  /**
   * Repeats `call` while it fails for a passing reason, sleeping a full-jitter back-off, and at
   * least what `Retry-After` asks; `retryable` says which failures a repeat may fix.
   */
  async function withRetries<T>(call: () => Promise<T>, signal: AbortSignal | undefined, retryable: (error: unknown) => boolean): Promise<T> {
    for (let failures = 1; ; failures += 1) {
      try {
        return await call();
      } catch (error) {
        if (signal?.aborted) throw abortReason(signal);
        if (!retryable(error) || failures >= policy.maxAttempts) throw error;
        const asked = error instanceof HttpError ? Math.min(error.retryAfterMs ?? 0, policy.maxRetryAfterMs) : 0;
        await delay(Math.max(asked, backoffMs(failures, policy)), signal);
      }
    }
  }

  const isNetworkFailure = (error: unknown) => error instanceof NetworkError;
  const isPassingStatus = (error: unknown) => error instanceof HttpError && isRetryableStatus(error.status);
  const isServiceUnavailable = (error: unknown) => error instanceof HttpError && (error.status === 429 || error.status === 503);

  async function getAnswer(requestId: string, getOptions: GetOptions): Promise<Answer> {
    const wait = clampWait(getOptions.waitSeconds ?? 0);
    return send('GET', `${statusPath(requestId)}${wait > 0 ? `?wait=${wait}` : ''}`, {
      graceMs: wait * 1000 + ATTEMPT_GRACE_MS,
      ...(getOptions.signal !== undefined ? { signal: getOptions.signal } : {}),
    });
  }

  const isPassingFailure = (error: unknown) => isPassingStatus(error) || isNetworkFailure(error);

  /** Opens a streamed GET: the response of a 2xx with its body unread. */
  async function openStream(path: string, signal: AbortSignal): Promise<Response> {
    const url = `${baseUrl}${path}`;
    let response: Response;
    try {
      response = await doFetch(url, { method: 'GET', headers: await headersFor('text/event-stream'), signal });
    } catch (error) {
      throw new NetworkError('GET', url, error);
    }
    if (!response.ok) throw httpErrorFor('GET', url, response, parseBody(await response.text()), parseRetryAfter(response.headers.get('Retry-After')));
    return response;
  }

  const downloads: DownloadDeps = {
    fetch: doFetch,
    read: async (requestId, signal) =>
      (await withRetries(() => getAnswer(requestId, signal !== undefined ? { signal } : {}), signal, isPassingFailure)).body as RequestView,
    retry: (call, signal) => withRetries(call, signal, isPassingFailure),
    stallMs: ATTEMPT_GRACE_MS,
  };

  /** A complete view with its result: one too large to carry inline is fetched from its presigned URL. */
  async function withResult<Result>(view: RequestView, signal: AbortSignal): Promise<CompleteView<Result>> {
    if (view.result !== undefined || view.result_url === undefined) return view as CompleteView<Result>;
    const fetched = (await download(downloads, view, undefined, { signal })) as Downloaded;
    return { ...fetched.view, status: RequestStatus.Complete, result: JSON.parse(new TextDecoder().decode(fetched.bytes)) as Result };
  }

  return {
    async submit(input, submitOptions = {}) {
      const { idempotencyKey, signal } = submitOptions;
      const answer = await withRetries(
        () =>
          send('POST', INVOKE_PATH, {
            body: input,
            ...(idempotencyKey !== undefined ? { headers: { 'Idempotency-Key': idempotencyKey } } : {}),
            ...(signal !== undefined ? { signal } : {}),
          }),
        signal,
        // A 503 or 429 means nothing was started; anything else may have stored the request,
        // so only an idempotency key makes a repeat safe.
        (error) => isServiceUnavailable(error) || (idempotencyKey !== undefined && (isPassingStatus(error) || isNetworkFailure(error))),
      );
      return answer.body as SubmitResult;
    },

    async get(requestId, getOptions = {}) {
      return (await getAnswer(requestId, getOptions)).body as RequestView;
    },

    async cancel(requestId, cancelOptions = {}) {
      const answer = await send('DELETE', statusPath(requestId), cancelOptions.signal !== undefined ? { signal: cancelOptions.signal } : {});
      return answer.body as RequestView;
    },

    list(listOptions = {}) {
      const readPage = async (path: string, signal: AbortSignal | undefined) =>
        (await withRetries(() => send('GET', path, signal !== undefined ? { signal } : {}), signal, isPassingFailure)).body as RequestPage;
      return listRequests(readPage, listOptions);
    },
    events: (requestId, eventsOptions) => followEvents({ open: openStream, policy }, requestId, eventsOptions),

    async webhookSecret(secretOptions = {}) {
      const answer = await send('GET', WEBHOOK_SECRET_PATH, secretOptions.signal !== undefined ? { signal: secretOptions.signal } : {});
      return (answer.body as WebhookSecret).secret;
    },

    async wait<Result>(target: string | Pick<SubmitResult, 'request_id'>, waitOptions: WaitOptions = {}): Promise<CompleteView<Result>> {
      const requestId = typeof target === 'string' ? target : target.request_id;
      const { timeoutMs, onProgress } = waitOptions;
      const waitSeconds = clampWait(waitOptions.waitSeconds ?? DEFAULT_WAIT_SECONDS);
      const deadline = new AbortController();
      const timer = timeoutMs !== undefined ? setTimeout(() => deadline.abort(), timeoutMs) : undefined;
      const linked = anySignal([waitOptions.signal, deadline.signal]);
      const signal = linked.signal;
      let last: RequestView | undefined;
      try {
        for (;;) {
          const started = Date.now();
          const answer = await withRetries(
            () => getAnswer(requestId, { signal, waitSeconds }),
            signal,
            (error) => isPassingStatus(error) || isNetworkFailure(error),
          );
          const view = answer.body as RequestView;
          const changed = last === undefined || changeFingerprint(view) !== changeFingerprint(last);
          last = view;
          if (changed) onProgress?.(view);
          if (view.status === RequestStatus.Complete) {
            return waitOptions.fetchResult === false ? (view as CompleteView<Result>) : await withResult<Result>(view, signal);
          }
          if (view.status === RequestStatus.Error) throw new RequestFailedError(view);
          // A long-poll that was held, or ended by a change, can be repeated at once; a plain poll,
          // or a long-poll the server did not hold, waits what the server asked.
          const held = waitSeconds > 0 && (changed || Date.now() - started >= waitSeconds * 1000 * HELD_SHARE);
          if (!held) await delay(parseRetryAfter(answer.headers.get('Retry-After')) ?? DEFAULT_POLL_MS, signal);
        }
      } catch (error) {
        if (waitOptions.signal?.aborted) throw abortReason(waitOptions.signal);
        if (deadline.signal.aborted) throw new TimeoutError(requestId, timeoutMs ?? 0, last);
        throw error;
      } finally {
        clearTimeout(timer);
        linked.dispose();
      }
    },

    download(target: string | RequestView, name?: string, downloadOptions?: DownloadOptions): Promise<Downloaded & DownloadInfo> {
      return download(downloads, target, name, downloadOptions) as Promise<Downloaded & DownloadInfo>;
    },
  };
}
