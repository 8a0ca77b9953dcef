import { createHash } from 'node:crypto';
import { isTerminal } from '../contract.js';
import type { OutputChunk, StoredRequest } from './model.js';

/**
 * Where a client is in a request's event stream: the last output chunk it has, and a short hash of
 * the status, step and progress it last saw. Written as the SSE `id` of every event
 * (`<seq>.<status>.<step>.<progress>`), so `Last-Event-ID` resumes exactly: the chunks after
 * `seq`, and only the state that changed since.
 */
export interface EventCursor {
  seq: number;
  status: string;
  step: string;
  progress: string;
  ended: boolean;
}

const HASH_CHARS = 6;
const NONE = '0'.repeat(HASH_CHARS);
const CURSOR = new RegExp(`^(\\d{1,9})\\.([0-9a-f]{${HASH_CHARS}})\\.([0-9a-f]{${HASH_CHARS}})\\.([0-9a-f]{${HASH_CHARS}})(\\.end)?$`);

/** The cursor before any event: a stream without `Last-Event-ID` starts here. */
export const START: EventCursor = { seq: 0, status: NONE, step: NONE, progress: NONE, ended: false };

/** A cursor from its written form, or undefined when it is not one. */
export function parseCursor(text: string): EventCursor | undefined {
  const match = CURSOR.exec(text);
  if (match === null) return undefined;
  return { seq: Number(match[1]), status: match[2]!, step: match[3]!, progress: match[4]!, ended: match[5] !== undefined };
}

export function formatCursor(cursor: EventCursor): string {
  return `${cursor.seq}.${cursor.status}.${cursor.step}.${cursor.progress}${cursor.ended ? '.end' : ''}`;
}

function hashOf(value: unknown): string {
  if (value === undefined) return NONE;
  return createHash('sha256').update(JSON.stringify(value)).digest('hex').slice(0, HASH_CHARS);
}

/** One event of the stream, before it is written out. */
export interface RequestEvent {
  event: 'status' | 'progress' | 'step' | 'output' | 'end';
  data: unknown;
  cursor: EventCursor;
}

/** Reads the text of a chunk kept in the bucket. */
export type ChunkReader = (chunk: OutputChunk) => Promise<string>;

/**
 * The events that take a client from `cursor` to `item` as it is now: the status, step and
 * progress where they changed, then the output chunks after the cursor's, at most about
 * `maxOutputBytes` of them (the rest follow on the next read), and `end` once the request is
 * terminal and all its output is out. `end`'s data is added by the caller (the final view).
 */
export async function eventsAfter(item: StoredRequest, cursor: EventCursor, readChunk: ChunkReader, maxOutputBytes: number): Promise<RequestEvent[]> {
  if (cursor.ended) return [];
  const events: RequestEvent[] = [];
  let at = cursor;
  const state: Array<['status' | 'step' | 'progress', unknown]> = [
    ['status', { status: item.status }],
    ['step', item.step],
    ['progress', item.progress],
  ];
  for (const [kind, data] of state) {
    const hash = hashOf(data);
    if (data === undefined || hash === at[kind]) continue;
    at = { ...at, [kind]: hash };
    events.push({ event: kind, data, cursor: at });
  }
  let bytes = 0;
  const chunks = (item.output ?? []).filter((chunk) => chunk.seq > at.seq);
  for (const chunk of chunks) {
    if (bytes >= maxOutputBytes) return events;
    const text = chunk.text ?? (await readChunk(chunk));
    bytes += Buffer.byteLength(text);
    at = { ...at, seq: chunk.seq };
    events.push({ event: 'output', data: { seq: chunk.seq, text }, cursor: at });
  }
  if (isTerminal(item.status)) events.push({ event: 'end', data: undefined, cursor: { ...at, ended: true } });
  return events;
}

/** One event in `text/event-stream` form. */
export function formatEvent(event: RequestEvent): string {
  return `id: ${formatCursor(event.cursor)}\nevent: ${event.event}\ndata: ${JSON.stringify(event.data)}\n\n`;
}
