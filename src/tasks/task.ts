import { type Progress } from '../contract.js';
import type { ObjectBody } from '../storage/object-store.js';

/** What the caller asked for, stored with the request so the async event carries only the id: what a task works on. */
export interface RequestInput {
  prompt: string;
  session_id?: string;
}

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
  /**
   * Fires on the invocation's deadline and on cancellation: stop work and reject when it does.
   * Also fires, with a ContinueSignal (`reason.name === 'ContinueSignal'`) as its reason, when the
   * request is about to continue in a fresh invocation while steps of this one still run side by
   * side: the worker waits for them (as long as the invocation has time) and keeps a checkpoint
   * that lands meanwhile, so a step close to done had better finish; one that rejects runs again.
   */
  signal: AbortSignal;
  /** Records progress; cheap to call often, writes are coalesced. */
  reportProgress(progress: Progress): void;
  /**
   * Appends `text` to the request's live output (a model's tokens): durable, numbered, streamed
   * to `GET /v1/status/{id}/events`; cheap to call often, writes are coalesced (at most 4 a
   * second). Counts against MAX_OUTPUT_BYTES. Code that runs again (a retry, a continuation, a
   * step rerun before its checkpoint) may emit the same text again: what is already out is skipped
   * by position, per step, so deterministic output appears once.
   */
  emit(text: string): void;
  files: TaskFiles;
  /**
   * Runs `run` once per request and returns its result, which must be JSON: the result is
   * checkpointed (under this worker's fence) before `step` returns. A later attempt (after a
   * crash or a timeout) or a continuation gets the checkpoint back instead of running the step
   * again, and goes on from the first step not done. Name each step once per request; call them
   * one after another or side by side. Before a step, when the invocation has less than STEP_BUDGET_SECONDS left
   * (or after `continueLater()`), the request goes on in a fresh invocation instead: `step` then
   * throws, and the task must let that error through.
   */
  step<T>(name: string, run: () => Promise<T>): Promise<T>;
  /** Asks for the next step to run in a fresh invocation (a continuation), not this one. */
  continueLater(): void;
}

/**
 * A named kind of work the service can run. Its result must be JSON; one too large to stay in the
 * request's item (over INLINE_RESULT_MAX_BYTES) is kept in the results bucket instead.
 */
export interface Task<Name extends string = string> {
  name: Name;
  description: string;
  /** How many steps the task runs, when it runs in steps and knows: the view shows "step 2 of 5". */
  steps?: number;
  run(context: TaskContext): Promise<unknown>;
}

/**
 * A failure whose message is meant for the caller ("the document is empty"). Any other error a
 * task throws is reported as a generic sentence, since its message may carry internals.
 */
export class TaskError extends Error {
  override readonly name = 'TaskError';
}
