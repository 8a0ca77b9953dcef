import type { APIGatewayProxyResult } from 'aws-lambda';
import { delay } from '../delay.js';
import type { ApiDeps, InvocationContext } from '../handler-deps.js';
import type { StoredRequest } from '../requests/model.js';
import { presentView } from '../requests/present.js';
import { START, eventsAfter, formatEvent, parseCursor, type EventCursor, type RequestEvent } from '../requests/request-events.js';
import type { ApiRequest } from './api-request.js';
import { invalidField, notFound } from './http-error.js';
import { requestIdParam } from './request-id.js';
import type { Principal } from '../auth/principal.js';
import { readOwnedRequest } from './owned-request.js';

/** A comment line at least this often keeps proxies and clients from taking a quiet stream for a dead one. */
export const HEARTBEAT_MS = 10_000;
/** A stream closes by itself (with a `retry:` hint) this long before the invocation would end... */
const CLOSE_MARGIN_MS = 2_000;
/** ...and after at most this long: under a REST API's 15 minutes of streaming. */
export const MAX_STREAM_MS = 14 * 60_000;
/** What a client waits before it reconnects, after a stream closed before its end. */
export const RECONNECT_MS = 1_000;
/** Output carried by one read of the stream (the rest follows on the next): an answer stays well under Lambda's 6 MB. */
const OUTPUT_BYTES_PER_READ = 1024 * 1024;

/** A response whose body is written as it is produced, by a front that streams (see streaming.ts). */
export type StreamingResult = APIGatewayProxyResult & { stream?: AsyncIterable<string> };

/** Whether the caller's connection can carry a stream, or gets one answer at once (an HTTP API). */
export interface ResponseMode {
  streaming: boolean;
}

const HEADERS = { 'Content-Type': 'text/event-stream; charset=utf-8', 'Cache-Control': 'no-store', 'X-Accel-Buffering': 'no' };

/** Where the caller resumes: `Last-Event-ID` (what a reconnecting EventSource sends), else `?after=`, else the start. */
export function resumeCursor(request: ApiRequest): EventCursor {
  const header = request.headers['last-event-id'];
  const [field, text] = header !== undefined ? ['Last-Event-ID', header] : ['after', request.query.after];
  if (text === undefined || text === null) return START;
  const cursor = parseCursor(text.trim());
  if (cursor === undefined) throw invalidField(field, 'must be the id of an event of this stream, as sent (e.g. "12.a1b2c3.d4e5f6.0789ab")');
  return cursor;
}

/** The stream's events after `cursor` in the item as read now, the end carrying the final view. */
async function readEvents(deps: ApiDeps, item: StoredRequest, cursor: EventCursor): Promise<RequestEvent[]> {
  const objects = deps.objects;
  const events = await eventsAfter(item, cursor, (chunk) => objects!.getText(chunk.object!.key), OUTPUT_BYTES_PER_READ);
  const end = events.at(-1);
  if (end?.event === 'end') end.data = await presentView(item, objects, deps.now(), deps.config.resultUrlSeconds);
  return events;
}

/**
 * The frames of a held stream: the events as the table shows them (read every
 * LONG_POLL_INTERVAL_MS), a heartbeat comment when quiet, and at `untilMs` a `retry:` hint and
 * the close, unless `end` came first. A request that disappears (expired) just closes the stream.
 */
export async function* streamFrames(deps: ApiDeps, read: () => Promise<StoredRequest | undefined>, first: StoredRequest, from: EventCursor, untilMs: number): AsyncGenerator<string> {
  let item: StoredRequest | undefined = first;
  let cursor = from;
  let lastWriteAt = deps.now();
  while (item !== undefined) {
    for (const event of await readEvents(deps, item, cursor)) {
      yield formatEvent(event);
      cursor = event.cursor;
      lastWriteAt = deps.now();
    }
    if (cursor.ended) return;
    if (deps.now() + deps.config.longPollIntervalMs >= untilMs) break;
    if (deps.now() - lastWriteAt >= HEARTBEAT_MS) {
      yield ': keep-alive\n\n';
      lastWriteAt = deps.now();
    }
    await delay(deps.config.longPollIntervalMs);
    item = await read();
  }
  yield `retry: ${RECONNECT_MS}\n\n`;
}

/**
 * `GET /v1/status/{request_id}/events`: the request's events as `text/event-stream`, owned like its
 * view. Held open while the front streams; else (an HTTP API) answered at once with the events
 * after the cursor and a `retry:` hint, so a client that reconnects still gets every event.
 * A cursor past `end` answers 204, which tells an EventSource to stop.
 */
export async function eventsRoute(deps: ApiDeps, request: ApiRequest, params: Record<string, string>, context: InvocationContext, mode: ResponseMode, caller: Principal): Promise<StreamingResult> {
  const requestId = requestIdParam(params);
  const cursor = resumeCursor(request);
  const read = () => readOwnedRequest(deps, requestId, caller);
  const item = await read();
  if (item === undefined) throw notFound();
  if (cursor.ended) return { statusCode: 204, headers: { 'Cache-Control': 'no-store' }, body: '' };
  if (mode.streaming) {
    const untilMs = deps.now() + Math.min(MAX_STREAM_MS, context.getRemainingTimeInMillis() - CLOSE_MARGIN_MS);
    return { statusCode: 200, headers: HEADERS, body: '', stream: streamFrames(deps, read, item, cursor, untilMs) };
  }
  const events = await readEvents(deps, item, cursor);
  const ended = events.at(-1)?.event === 'end';
  return { statusCode: 200, headers: HEADERS, body: events.map(formatEvent).join('') + (ended ? '' : `retry: ${RECONNECT_MS}\n\n`) };
}
