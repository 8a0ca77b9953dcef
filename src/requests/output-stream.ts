import { describeError, type Logger } from '../log.js';
import { OutputTooLargeError } from '../storage/object-store.js';
import { StorageUnavailableError } from './errors.js';
import { keepsInItem, valueSize } from './item-size.js';
import type { OutputChunk, StoredRequest } from './model.js';
import { stepEmitting } from './output-scope.js';
import type { RequestOutput } from './output.js';
import type { RequestStore } from './store.js';

/** At most four output writes a second per request: each is a DynamoDB write the caller pays for. */
export const OUTPUT_WRITE_INTERVAL_MS = 250;
/** The scope of what a task emits outside any step. */
const NO_STEP = '';

export interface OutputStreamOptions {
  store: RequestStore;
  output: RequestOutput;
  claimed: StoredRequest;
  log: Logger;
  /** A chunk stays in the item up to this size (and while the item has room), as a checkpoint does. */
  inlineMaxBytes: number;
  /** The item's size now, without the output this stream appended. */
  itemBytes: () => number;
  /** Called once when an append finds the request no longer this attempt's. */
  onSuperseded: () => void;
  intervalMs?: number;
}

/** The task's `emit`, and what the worker needs to keep it durable. */
export interface OutputStream {
  /** Queues `text`; written within OUTPUT_WRITE_INTERVAL_MS, coalesced with what follows meanwhile. */
  emit(text: string): void;
  /** Resolves once everything emitted so far is in the table (or could not be: see the log). */
  flush(): Promise<void>;
  /** Bytes this stream added to the item. */
  itemBytes(): number;
}

/** How much of each scope's output earlier runs of the same code made durable, in UTF-16 units. */
function durableLengths(chunks: OutputChunk[]): Map<string, number> {
  const lengths = new Map<string, number>();
  for (const chunk of chunks) lengths.set(chunk.step ?? NO_STEP, (lengths.get(chunk.step ?? NO_STEP) ?? 0) + chunk.length);
  return lengths;
}

/**
 * Emitted output, appended to the request under the worker's fence, numbered on from the last
 * chunk any earlier invocation wrote. Code that runs again (a retried attempt, a continuation, a
 * step interrupted before its checkpoint) emits again what it emitted before: per step (and
 * outside steps), output is matched by position, and what is already durable is skipped, so a
 * rerun that emits the same text adds nothing twice.
 */
export function createOutputStream(options: OutputStreamOptions): OutputStream {
  const intervalMs = options.intervalMs ?? OUTPUT_WRITE_INTERVAL_MS;
  const durable = durableLengths(options.claimed.output ?? []);
  const emitted = new Map<string, number>();
  let pending: Array<{ step: string; text: string }> = [];
  let lastSeq = options.claimed.output_seq ?? 0;
  let appendedBytes = 0;
  let lastWriteAt = 0;
  let timer: NodeJS.Timeout | undefined;
  let writing: Promise<void> = Promise.resolve();
  let stopped = false;

  function queue(step: string, text: string): void {
    const last = pending.at(-1);
    if (last?.step === step) last.text += text;
    else pending.push({ step, text });
  }

  function schedule(): void {
    if (timer !== undefined || stopped) return;
    timer = setTimeout(() => {
      timer = undefined;
      writing = writing.then(writeQueued);
    }, Math.max(0, lastWriteAt + intervalMs - Date.now()));
  }

  async function toChunk(seq: number, step: string, text: string): Promise<OutputChunk> {
    const base: OutputChunk = { seq, length: text.length, ...(step !== NO_STEP ? { step } : {}) };
    const bytes = Buffer.byteLength(text);
    const inline = { ...base, text };
    if (keepsInItem(bytes, options.inlineMaxBytes, () => options.itemBytes() + appendedBytes + valueSize([inline]))) {
      options.output.reserve(bytes);
      return inline;
    }
    return { ...base, object: await options.output.putOutputChunk(seq, text) };
  }

  async function writeQueued(): Promise<void> {
    if (pending.length === 0 || stopped) return;
    const taken = pending;
    pending = [];
    lastWriteAt = Date.now();
    try {
      const chunks: OutputChunk[] = [];
      for (const [index, part] of taken.entries()) chunks.push(await toChunk(lastSeq + index + 1, part.step, part.text));
      const { claimed } = options;
      const written = await options.store.appendOutput(claimed.request_id, claimed.attempt, lastSeq, chunks);
      if (!written) {
        stopped = true;
        options.onSuperseded();
        return;
      }
      options.output.commit(...chunks.flatMap((chunk) => (chunk.object !== undefined ? [chunk.object.key] : [])));
      lastSeq = chunks.at(-1)!.seq;
      appendedBytes += valueSize(chunks);
    } catch (error) {
      if (error instanceof StorageUnavailableError) {
        // Kept, in order, for the next write: a blip loses nothing.
        pending = [...taken, ...pending];
        schedule();
        return;
      }
      // Past MAX_OUTPUT_BYTES: the attempt has overflowed, and the request ends as result_too_large.
      stopped = true;
      if (!(error instanceof OutputTooLargeError)) options.log.error('could not write emitted output', { request_id: options.claimed.request_id, ...describeError(error) });
    }
  }

  return {
    emit(text) {
      if (stopped || typeof text !== 'string' || text.length === 0) return;
      const step = stepEmitting() ?? NO_STEP;
      const before = emitted.get(step) ?? 0;
      emitted.set(step, before + text.length);
      const skip = Math.max(0, (durable.get(step) ?? 0) - before);
      if (skip >= text.length) return;
      queue(step, text.slice(skip));
      schedule();
    },
    async flush() {
      clearTimeout(timer);
      timer = undefined;
      writing = writing.then(writeQueued);
      await writing;
    },
    itemBytes: () => appendedBytes,
  };
}
