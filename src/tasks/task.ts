import { type Progress } from '../contract.js';
import { type RequestInput } from '../requests/model.js';

/** What a task gets to do its work. */
export interface TaskContext {
  input: RequestInput;
  /** Fires on the invocation's deadline and on cancellation; stop work and reject when it does. */
  signal: AbortSignal;
  /** Records progress; cheap to call often, writes are coalesced. */
  reportProgress(progress: Progress): void;
}

/** A named kind of work the service can run. Its result must be JSON and, with its input, under 400 KB. */
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
