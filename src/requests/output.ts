import type { ObjectBody, ObjectStore } from '../storage/object-store.js';
import { OutputTooLargeError } from '../storage/object-store.js';
import { FILE_NAME, fileKey, resultKey } from '../storage/keys.js';
import { TaskError, type TaskFiles } from '../tasks/task.js';
import type { Artifact, ResultObject } from './model.js';

const DEFAULT_CONTENT_TYPE = 'application/octet-stream';

/** What one attempt writes to the bucket, kept to the request's byte budget. */
export interface RequestOutput {
  /** What the task uses to write files. */
  files: TaskFiles;
  /** The files written so far, the latest of each name. */
  artifacts(): Artifact[];
  /** Stores a result too large for the item. */
  putResult(json: string): Promise<ResultObject>;
  /** Removes everything this attempt wrote (its outcome will not point at it). */
  discard(): Promise<void>;
}

/**
 * The output of one attempt at a request: files and a spilled result under the attempt's own
 * prefix, at most `maxBytes` in all. Without a bucket, files cannot be written at all.
 */
export function createRequestOutput(objects: ObjectStore | undefined, requestId: string, attempt: number, maxBytes: number): RequestOutput {
  const files = new Map<string, Artifact>();
  const keys = new Set<string>();
  let usedBytes = 0;
  const room = () => maxBytes - [...files.values()].reduce((total, file) => total + file.size, usedBytes);

  return {
    files: {
      async put(name, body: ObjectBody, contentType = DEFAULT_CONTENT_TYPE) {
        if (objects === undefined) throw new TaskError('This deployment has no results bucket (RESULTS_BUCKET): a task cannot write files.');
        if (typeof name !== 'string' || !FILE_NAME.test(name)) {
          throw new TaskError(`The task tried to write a file named ${JSON.stringify(name)}: a name is 1-200 letters, digits, ".", "_" or "-", not starting with ".".`);
        }
        const key = fileKey(requestId, attempt, name);
        const replaced = files.get(name);
        files.delete(name); // its room is given back while the new body is written
        keys.add(key);
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
    async putResult(json) {
      if (objects === undefined) throw new OutputTooLargeError(0);
      const key = resultKey(requestId, attempt);
      keys.add(key);
      const size = await objects.put(key, json, 'application/json', room());
      usedBytes += size;
      return { key, size };
    },
    async discard() {
      if (objects !== undefined) await objects.remove([...keys]);
    },
  };
}
