import { abortReason, delay } from '../delay.js';
import { eventsPath, type StreamEvent } from '../contract.js';
import { HttpError, NetworkError } from './errors.js';
import { backoffMs, isRetryableStatus, type RetryPolicy } from './retry.js';
import { readEventStream } from './sse.js';

/** What the stream waits before reconnecting when the server gave no `retry:`. */
const DEFAULT_RECONNECT_MS = 1000;
/** The server sends a heartbeat at least every 15 s: a connection silent for twice that is dead. */
const STALL_MS = 30_000;

export interface EventsOptions {
  signal?: AbortSignal;
  /** Resume after this event id (an event's `id`), as after a reload; from the start when absent. */
  after?: string;
}

export interface EventsDeps {
  /** GETs `path` (headers, API key) and answers the response of a 2xx, or throws HttpError / NetworkError. */
  open(path: string, signal: AbortSignal): Promise<Response>;
  policy: RetryPolicy;
}

function isRetryable(error: unknown): boolean {
  return error instanceof NetworkError || (error instanceof HttpError && isRetryableStatus(error.status));
}

/**
 * A request's events, from `after` on, until `end`. A connection that drops, stalls or is closed
 * by the server before `end` is reopened after the last event received (`?after=`), so every
 * event comes once, in order; 429 and 5xx answers are retried with back-off. Only `fetch`,
 * `ReadableStream` and `TextDecoder`: the same in browsers and Node.
 */
export async function* followEvents(deps: EventsDeps, requestId: string, options: EventsOptions = {}): AsyncGenerator<StreamEvent> {
  const { signal } = options;
  let cursor = options.after;
  let failures = 0;
  for (;;) {
    const connection = new AbortController();
    const stop = () => connection.abort(signal?.reason);
    signal?.addEventListener('abort', stop, { once: true });
    let stall: ReturnType<typeof setTimeout> | undefined;
    const alive = () => {
      clearTimeout(stall);
      stall = setTimeout(() => connection.abort(new Error(`no data for ${STALL_MS} ms`)), STALL_MS);
    };
    let waitMs = DEFAULT_RECONNECT_MS;
    try {
      alive();
      const response = await deps.open(`${eventsPath(requestId)}${cursor !== undefined ? `?after=${encodeURIComponent(cursor)}` : ''}`, connection.signal);
      if (response.status === 204 || response.body === null) return;
      for await (const message of readEventStream(response.body, alive)) {
        if (message.retry !== undefined) waitMs = message.retry;
        if (message.event === undefined || message.data === undefined) continue;
        failures = 0;
        cursor = message.id ?? cursor;
        const event = { id: message.id ?? '', event: message.event, data: JSON.parse(message.data) as unknown } as StreamEvent;
        yield event;
        if (event.event === 'end') return;
      }
    } catch (error) {
      if (signal?.aborted) throw abortReason(signal);
      // A dropped or stalled connection is reopened; an answer that retrying cannot fix is thrown.
      if (!(error instanceof HttpError) || isRetryable(error)) {
        failures += 1;
        if (failures >= deps.policy.maxAttempts) throw error;
        waitMs = Math.max(waitMs, backoffMs(failures, deps.policy), error instanceof HttpError ? (error.retryAfterMs ?? 0) : 0);
      } else {
        throw error;
      }
    } finally {
      clearTimeout(stall);
      signal?.removeEventListener('abort', stop);
      connection.abort();
    }
    await delay(waitMs, signal);
  }
}
