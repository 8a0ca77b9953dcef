import type { ObjectBody, ObjectStore } from '../storage/object-store.js';
import { OutputTooLargeError } from '../storage/object-store.js';
import { FILE_NAME, checkpointKey, fileKey, resultKey } from '../storage/keys.js';
import { TaskError, type TaskFiles } from '../tasks/task.js';
import type { Artifact, ResultObject } from './model.js';

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
  /** Stores a result too large for the item. */
  putResult(json: string): Promise<ResultObject>;
  /** Stores a step's checkpoint too large for the item; it outlives the attempt. */
  putCheckpoint(index: number, json: string): Promise<ResultObject>;
  /** Marks this attempt's files as recorded in the table (a checkpoint or a hand-back points at them); answers the whole list. */
  commit(): Artifact[];
  /** Removes what this attempt wrote and never recorded (its outcome will not point at it). */
  discard(): Promise<void>;
}

/**
 * The output of one attempt at a request: files and a spilled result under the attempt's own
 * prefix, at most `maxBytes` in all with the files earlier attempts recorded (`recorded`), and
 * at most `maxFiles` file names (MAX_FILES). Without a bucket, files cannot be written at all.
 */
export function createRequestOutput(
  objects: ObjectStore | undefined,
  requestId: string,
  attempt: number,
  maxBytes: number,
  maxFiles: number,
  recorded: readonly Artifact[] = [],
): RequestOutput {
  const files = new Map<string, Artifact>(recorded.map((file) => [file.name, file]));
  // Names count from their first write, before it finishes: parallel writes cannot pass the limit.
  const names = new Set(files.keys());
  const written = new Set<string>();
  const committed = new Set<string>();
  let usedBytes = 0;
  const room = () => maxBytes - [...files.values()].reduce((total, file) => total + file.size, usedBytes);
  const spill = async (key: string, json: string): Promise<ResultObject> => {
    if (objects === undefined) throw new OutputTooLargeError(0);
    const size = await objects.put(key, json, 'application/json', room());
    usedBytes += size;
    return { key, size };
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
        const replaced = files.get(name);
        files.delete(name); // its room is given back while the new body is written
        written.add(key);
        try {
          const size = await objects.put(key, body, contentType, room());
          files.set(name, { name, key, size, content_type: contentType });
          return { name, size };
        } catch (error) {
          if (replaced !== undefined && !(error instanceof OutputTooLargeError)) files.set(name, replaced);
          throw error;
        }
      },
    },
    artifacts: () => [...files.values()],
    putResult(json) {
      const key = resultKey(requestId, attempt);
      written.add(key);
      return spill(key, json);
    },
    putCheckpoint: (index, json) => spill(checkpointKey(requestId, index, attempt), json),
    commit() {
      for (const key of written) committed.add(key);
      return [...files.values()];
    },
    async discard() {
      const keys = [...written].filter((key) => !committed.has(key));
      if (objects !== undefined && keys.length > 0) await objects.remove(keys);
    },
  };
}
