import { type Progress } from '../contract.js';
import { type RequestInput } from '../requests/model.js';
import type { ObjectBody } from '../storage/object-store.js';

/** Files a task writes for its caller; the view lists each with a download URL. */
export interface TaskFiles {
  /**
   * Stores `body` (bytes, text or a stream of any size) as the file `name`: letters, digits, `.`,
   * `_` and `-`, no path. Writing a name again replaces the file. Rejects once the request's output
   * passes MAX_OUTPUT_BYTES (the request then ends as `result_too_large`).
   */
  put(name: string, body: ObjectBody, contentType?: string): Promise<{ name: string; size: number }>;
}

/** What a task gets to do its work. */
export interface TaskContext {
  input: RequestInput;
  /** Fires on the invocation's deadline and on cancellation; stop work and reject when it does. */
  signal: AbortSignal;
  /** Records progress; cheap to call often, writes are coalesced. */
  reportProgress(progress: Progress): void;
  files: TaskFiles;
}

/**
 * A named kind of work the service can run. Its result must be JSON; one too large to stay in the
 * request's item (over INLINE_RESULT_MAX_BYTES) is kept in the results bucket instead.
 */
export interface Task<Name extends string = string> {
  name: Name;
  description: string;
  run(context: TaskContext): Promise<unknown>;
}

/**
 * A failure whose message is meant for the caller ("the document is empty"). Any other error a
 * task throws is reported as a generic sentence, since its message may carry internals.
 */
export class TaskError extends Error {
  override readonly name = 'TaskError';
}
