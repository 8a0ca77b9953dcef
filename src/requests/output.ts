import { Readable } from 'node:stream';
import type { ObjectBody, ObjectStore } from '../storage/object-store.js';
import { OutputTooLargeError } from '../storage/object-store.js';
import { createByteBudget, type ByteBudget } from '../storage/byte-budget.js';
import { FILE_NAME, checkpointKey, fileKey, outputChunkKey, resultKey } from '../storage/keys.js';
import { TaskError, type TaskFiles } from '../tasks/task.js';
import type { Artifact, ResultObject, StoredRequest } from './model.js';
import { inlineOutputBytes, recordedKeys, recordedObjects, type RecordedOutput } from './recorded-objects.js';

const DEFAULT_CONTENT_TYPE = 'application/octet-stream';
/** The longest content type a file may have: a media type and its parameters, well within S3's headers. */
export const MAX_CONTENT_TYPE_CHARS = 200;
const CONTENT_TYPE = new RegExp(`^[\\x20-\\x7e]{1,${MAX_CONTENT_TYPE_CHARS}}$`);

/** What one attempt writes to the bucket, kept to the request's byte budget. */
export interface RequestOutput {
  /** What the task uses to write files. */
  files: TaskFiles;
  /** The request's files so far: those earlier attempts recorded, and this attempt's, the latest of each name. */
  artifacts(): Artifact[];
  /** Earlier attempts' objects of the files written again since: recorded with the files, as they still hold room. */
  replaced(): ResultObject[];
  /** Whether a write was refused for lack of room: the request is past MAX_OUTPUT_BYTES, whatever the task did with the error. */
  overflowed(): boolean;
  /** Stores a result too large for the item. */
  putResult(json: string): Promise<ResultObject>;
  /** Stores a step's checkpoint too large for the item; it outlives the attempt once recorded. */
  putCheckpoint(index: number, json: string): Promise<ResultObject>;
  /** Stores a piece of emitted output the item has no room for. */
  putOutputChunk(seq: number, text: string): Promise<ResultObject>;
  /** Takes room for output kept in the item itself, or throws OutputTooLargeError (and the attempt has overflowed). */
  reserve(bytes: number): void;
  /**
   * Marks this attempt's files, and `keys` (a checkpoint object), as recorded in the table: called
   * as a checkpoint or a hand-back that lists them is written. Answers the whole file list.
   */
  commit(...keys: string[]): Artifact[];
  /** The write that was to record `key` was fenced out: it is this attempt's to remove again. */
  uncommit(key: string): Promise<void>;
  /**
   * Removes what this attempt wrote and never recorded (its outcome will not point at it), after
   * waiting up to `waitMs` for writes still under way; a write that lands later removes itself.
   */
  discard(waitMs: number): Promise<void>;
  /** Removes the replaced objects (see `replaced`) once a completed outcome no longer needs them to count. */
  removeReplaced(): Promise<void>;
  /** The same for all the request's objects: this attempt's, and those `ended` (an error, terminal) records from earlier ones. */
  removeAll(ended: StoredRequest, waitMs: number): Promise<void>;
}

/** An attempt's write that lands after its objects were removed: it is removed too, and the task told. */
export class AttemptOverError extends Error {
  override readonly name = 'AttemptOverError';
}

/** The bytes an item's recorded objects and inline output hold: what earlier invocations used of the request's budget. */
function recordedBytes(item: RecordedOutput): number {
  return recordedObjects(item).reduce((total, object) => total + object.size, inlineOutputBytes(item));
}

/**
 * An attempt's writes to the bucket: each key noted before its write starts, its room taken from
 * the request's budget; once the attempt's objects are removed, later writes are refused and a
 * write that lands late removes itself.
 */
function createAttemptWrites(budget: ByteBudget) {
  const written = new Set<string>();
  const underWay = new Set<Promise<unknown>>();
  const streamsUnderWay = new Set<Readable>();
  let overflowed = false;
  let closed = false;
  return {
    written,
    overflowed: () => overflowed,
    closed: () => closed,
    reserve(bytes: number): void {
      try {
        budget.reserve(bytes);
      } catch (error) {
        if (error instanceof OutputTooLargeError) overflowed = true;
        throw error;
      }
    },
    async write(store: ObjectStore, key: string, body: ObjectBody, contentType: string): Promise<number> {
      if (closed) throw new AttemptOverError('the attempt is over: nothing more is written');
      written.add(key);
      const put = store.put(key, body, contentType, budget);
      underWay.add(put);
      if (body instanceof Readable) streamsUnderWay.add(body);
      try {
        const size = await put;
        if (closed) {
          await store.remove([key]);
          throw new AttemptOverError('the attempt is over: what it wrote late was removed');
        }
        return size;
      } catch (error) {
        if (error instanceof OutputTooLargeError) overflowed = true;
        throw error;
      } finally {
        underWay.delete(put);
        if (body instanceof Readable) streamsUnderWay.delete(body);
      }
    },
    /** Refuses further writes, cuts streams under way short, waits up to `waitMs` for the writes under way, then removes `keys()`. */
    async removeAfterWrites(store: ObjectStore | undefined, keys: () => string[], waitMs: number): Promise<void> {
      closed = true;
      // A stream the task abandoned may never end: waiting for it would hold the invocation to its timeout.
      for (const stream of streamsUnderWay) stream.destroy(new AttemptOverError('the attempt is over: its unfinished writes are cut short'));
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([Promise.allSettled([...underWay]), new Promise((resolve) => (timer = setTimeout(resolve, waitMs)))]);
      clearTimeout(timer);
      const doomed = keys();
      if (store !== undefined && doomed.length > 0) await store.remove(doomed);
    },
  };
}

/**
 * The output of one attempt at a request: files, bucket checkpoints and a spilled result under the
 * attempt's own keys, at most `maxBytes` in all with what earlier attempts and invocations recorded
 * (`recorded`), and at most `maxFiles` file names (MAX_FILES). Without a bucket, files cannot be
 * written at all.
 */
export function createRequestOutput(
  objects: ObjectStore | undefined,
  requestId: string,
  attempt: number,
  maxBytes: number,
  maxFiles: number,
  recorded: RecordedOutput = {},
): RequestOutput {
  const files = new Map<string, Artifact>((recorded.artifacts ?? []).map((file) => [file.name, file]));
  const replacedObjects: ResultObject[] = [...(recorded.replaced_objects ?? [])];
  // Names count from their first write, before it finishes: parallel writes cannot pass the limit.
  const names = new Set(files.keys());
  const budget = createByteBudget(maxBytes, recordedBytes(recorded));
  const writes = createAttemptWrites(budget);
  const committed = new Set<string>();
  const spill = async (key: string, text: string, contentType = 'application/json'): Promise<ResultObject> => {
    if (objects === undefined) throw new OutputTooLargeError(0);
    return { key, size: await writes.write(objects, key, text, contentType) };
  };

  return {
    files: {
      async put(name, body: ObjectBody, contentType = DEFAULT_CONTENT_TYPE) {
        if (objects === undefined) throw new TaskError('This deployment has no results bucket (RESULTS_BUCKET): a task cannot write files.');
        if (typeof name !== 'string' || !FILE_NAME.test(name)) {
          throw new TaskError(`The task tried to write a file named ${JSON.stringify(name)}: a name is 1-200 letters, digits, ".", "_" or "-", not starting with ".".`);
        }
        if (typeof contentType !== 'string' || !CONTENT_TYPE.test(contentType)) {
          throw new TaskError(`The task gave the file ${JSON.stringify(name)} a content type that is not 1-${MAX_CONTENT_TYPE_CHARS} printable ASCII characters.`);
        }
        if (!names.has(name) && names.size >= maxFiles) throw new TaskError(`The task wrote more than MAX_FILES (${maxFiles}) files.`);
        names.add(name);
        const key = fileKey(requestId, attempt, name);
        // The file it replaces keeps its room until the new body is written: a write that fails leaves it in place.
        const size = await writes.write(objects, key, body, contentType);
        const replaced = files.get(name);
        // This attempt's own object was overwritten; an earlier attempt's stays in the bucket, so it keeps counting.
        if (replaced?.key === key) budget.release(replaced.size);
        else if (replaced !== undefined) replacedObjects.push({ key: replaced.key, size: replaced.size });
        files.set(name, { name, key, size, content_type: contentType });
        return { name, size };
      },
    },
    artifacts: () => [...files.values()],
    replaced: () => [...replacedObjects],
    overflowed: () => writes.overflowed(),
    putResult: (json) => spill(resultKey(requestId, attempt), json),
    putCheckpoint: (index, json) => spill(checkpointKey(requestId, index, attempt), json),
    putOutputChunk: (seq, text) => spill(outputChunkKey(requestId, seq, attempt), text, 'text/plain; charset=utf-8'),
    reserve: (bytes) => writes.reserve(bytes),
    commit(...keys) {
      const list = [...files.values()];
      for (const key of [...list.map((file) => file.key), ...keys]) if (writes.written.has(key)) committed.add(key);
      return list;
    },
    async uncommit(key) {
      committed.delete(key);
      // Already past the attempt's clean-up: removed here, else left to it. A failure costs storage until the lifecycle rule, no more.
      if (writes.closed() && objects !== undefined) await objects.remove([key]).catch(() => undefined);
    },
    discard: (waitMs) => writes.removeAfterWrites(objects, () => [...writes.written].filter((key) => !committed.has(key)), waitMs),
    removeReplaced: async () => {
      if (objects !== undefined && replacedObjects.length > 0) await objects.remove(replacedObjects.map((object) => object.key));
    },
    removeAll: (ended, waitMs) => writes.removeAfterWrites(objects, () => [...new Set([...writes.written, ...recordedKeys(ended)])], waitMs),
  };
}
