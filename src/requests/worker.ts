import type { Config } from '../config.js';
import { describeError, type Logger } from '../log.js';
import type { TaskRegistry } from '../tasks/registry.js';
import { TaskError } from '../tasks/task.js';
import { StorageUnavailableError } from './errors.js';
import { effectiveState } from './lifecycle.js';
import { ErrorCode, RequestStatus, type Progress, type StoredRequest } from './model.js';
import type { Outcome, RequestStore } from './store.js';

/** The parts of the Lambda context the worker uses. */
export interface Invocation {
  awsRequestId: string;
  getRemainingTimeInMillis(): number;
}

export interface WorkerDeps {
  store: RequestStore;
  tasks: TaskRegistry;
  config: Pick<Config, 'leaseSeconds' | 'progressIntervalMs'>;
  now: () => number;
  log: Logger;
}

/** What one delivery of a process event did; logged, and asserted on by tests. */
export type ProcessResult = 'completed' | 'failed' | 'skipped' | 'superseded';

/** A DynamoDB item holds at most 400 KB; the rest of the item needs room too. */
export const MAX_RESULT_BYTES = 350_000;
const DONE: Progress = { percent: 100, message: 'Done' };

type StopReason = { kind: 'timeout'; budgetMs: number } | { kind: 'superseded' };

/** Stop this long before Lambda would kill us, so the timeout can still be written. */
function safetyMarginMs(remainingMs: number): number {
  return Math.min(5000, Math.max(500, remainingMs * 0.05));
}

/**
 * Runs one delivery of `{"action":"process"}`. Async delivery is at-least-once, so the claim is a
 * conditional write: a duplicate finds the lease held and does nothing. Every later write is fenced
 * by this worker's attempt number, so a worker that lost its lease can never overwrite a newer outcome.
 * Throws only when the table is unreachable, so that Lambda's async retry delivers the event again.
 */
export async function processRequest(deps: WorkerDeps, requestId: string, invocation: Invocation): Promise<ProcessResult> {
  const { store, log } = deps;
  const leaseMs = deps.config.leaseSeconds * 1000;
  const startedAt = deps.now();
  const leaseEnd = (at: number) => at + Math.min(leaseMs, invocation.getRemainingTimeInMillis());

  const claimed = await store.claim(requestId, startedAt, leaseEnd(startedAt));
  if (claimed === undefined) {
    await settleUnclaimable(deps, requestId, startedAt);
    return 'skipped';
  }
  const { attempt } = claimed;
  const fields = { request_id: requestId, attempt, aws_request_id: invocation.awsRequestId };
  log.info('claimed', { ...fields, task: claimed.task });

  const task = deps.tasks.get(claimed.task);
  if (task === undefined) {
    return finish(
      deps,
      claimed,
      { status: RequestStatus.Error, errorCode: ErrorCode.TaskFailed, error: `This deployment no longer runs the task "${claimed.task}".` },
      invocation,
    );
  }

  const remainingMs = invocation.getRemainingTimeInMillis();
  const budgetMs = Math.min(remainingMs - safetyMarginMs(remainingMs), claimed.deadline_at - startedAt);
  const controller = new AbortController();
  const stopped = new Promise<StopReason>((resolve) =>
    controller.signal.addEventListener('abort', () => resolve(controller.signal.reason as StopReason), { once: true }),
  );
  const deadlineTimer = setTimeout(() => controller.abort({ kind: 'timeout', budgetMs }), Math.max(0, budgetMs));

  // Progress is kept in memory and written at most once per interval; a write also renews the lease.
  let latest: Progress | undefined;
  let written: Progress | undefined;
  let lastWriteAt = startedAt;
  let writing: Promise<void> | undefined;
  const heartbeatEveryMs = leaseMs / 3;
  // Between writes, a consistent read notices a cancel within two progress intervals, at a fifth of a write's cost.
  const ownershipCheckEveryMs = deps.config.progressIntervalMs * 2;
  let lastCheckAt = startedAt;
  const flush = async () => {
    const at = deps.now();
    const progress = latest !== written ? latest : undefined;
    if (progress === undefined && at - lastWriteAt < heartbeatEveryMs) {
      if (at - lastCheckAt < ownershipCheckEveryMs) return;
      lastCheckAt = at;
      try {
        const current = await store.get(requestId);
        if (current?.status !== RequestStatus.Processing || current.attempt !== attempt) controller.abort({ kind: 'superseded' });
      } catch (error) {
        log.warn('ownership check failed; will retry', { ...fields, ...describeError(error) });
      }
      return;
    }
    try {
      const owned = await store.heartbeat(requestId, attempt, at, leaseEnd(at), progress);
      lastWriteAt = at;
      written = progress ?? written;
      // A failed fence means a cancel, the deadline or a newer attempt took the request.
      if (!owned) controller.abort({ kind: 'superseded' });
    } catch (error) {
      log.warn('heartbeat failed; will retry', { ...fields, ...describeError(error) });
    }
  };
  const ticker = setInterval(() => {
    writing ??= flush().finally(() => (writing = undefined));
  }, Math.min(deps.config.progressIntervalMs, heartbeatEveryMs));

  let outcome: Outcome | StopReason;
  try {
    const work = task.run({
      input: claimed.input,
      signal: controller.signal,
      reportProgress: (progress) => {
        latest = { percent: Math.max(0, Math.min(100, Math.round(progress.percent))), message: String(progress.message) };
      },
    });
    outcome = await Promise.race([work.then((result) => completeOutcome(result)), stopped]);
  } catch (error) {
    outcome = controller.signal.aborted ? (controller.signal.reason as StopReason) : failedOutcome(error, invocation, log, fields);
  } finally {
    clearTimeout(deadlineTimer);
    clearInterval(ticker);
  }
  await writing;

  if ('kind' in outcome) {
    if (outcome.kind === 'superseded') {
      log.info('superseded; stopping without writing', fields);
      return 'superseded';
    }
    outcome = {
      status: RequestStatus.Error,
      errorCode: ErrorCode.Timeout,
      error: `The work did not finish within the ${Math.round(outcome.budgetMs / 1000)} s it was allowed.`,
    };
  }
  return finish(deps, claimed, outcome, invocation);
}

function completeOutcome(result: unknown): Outcome {
  const size = Buffer.byteLength(JSON.stringify(result ?? null));
  if (size > MAX_RESULT_BYTES) {
    return {
      status: RequestStatus.Error,
      errorCode: ErrorCode.ResultTooLarge,
      error: `The result is ${size} bytes, more than the ${MAX_RESULT_BYTES} bytes a request can hold.`,
    };
  }
  return { status: RequestStatus.Complete, result: result ?? null, progress: DONE };
}

function failedOutcome(error: unknown, invocation: Invocation, log: Logger, fields: Record<string, unknown>): Outcome {
  if (error instanceof TaskError) {
    return { status: RequestStatus.Error, errorCode: ErrorCode.TaskFailed, error: error.message };
  }
  log.error('task threw', { ...fields, ...describeError(error) });
  return {
    status: RequestStatus.Error,
    errorCode: ErrorCode.TaskFailed,
    error: `The task failed. Reference: ${invocation.awsRequestId}`,
  };
}

/** Backoff between tries of the outcome write while the table is unreachable. */
const FINISH_RETRY_DELAYS_MS = [200, 500, 1000, 2000, 4000];
const FINISH_RETRY_RESERVE_MS = 500;

/**
 * Writes the outcome, retrying while the table is unreachable and the invocation has time left:
 * the outcome exists only in this process, and a retried event would have to redo the work.
 */
async function writeOutcome(deps: WorkerDeps, claimed: StoredRequest, outcome: Outcome, invocation: Invocation): Promise<boolean> {
  for (let attempt = 0; ; attempt += 1) {
    try {
      return await deps.store.finish(claimed.request_id, claimed.attempt, deps.now(), outcome);
    } catch (error) {
      const wait = FINISH_RETRY_DELAYS_MS[Math.min(attempt, FINISH_RETRY_DELAYS_MS.length - 1)]!;
      if (!(error instanceof StorageUnavailableError) || invocation.getRemainingTimeInMillis() < wait + FINISH_RETRY_RESERVE_MS) throw error;
      deps.log.warn('outcome write failed; retrying', { request_id: claimed.request_id, attempt: claimed.attempt, ...describeError(error) });
      await new Promise((resolve) => setTimeout(resolve, wait));
    }
  }
}

async function finish(deps: WorkerDeps, claimed: StoredRequest, outcome: Outcome, invocation: Invocation): Promise<ProcessResult> {
  const written = await writeOutcome(deps, claimed, outcome, invocation);
  const fields = { request_id: claimed.request_id, attempt: claimed.attempt, status: outcome.status };
  if (!written) {
    deps.log.info('outcome not written: the request was cancelled, expired or taken over', fields);
    return 'superseded';
  }
  deps.log.info('finished', { ...fields, ...(outcome.status === RequestStatus.Error ? { error_code: outcome.errorCode } : {}) });
  return outcome.status === RequestStatus.Complete ? 'completed' : 'failed';
}

/** A delivery that could not claim: a duplicate, a late retry, or a request nobody can finish any more. */
async function settleUnclaimable(deps: WorkerDeps, requestId: string, nowMs: number): Promise<void> {
  const current = await deps.store.get(requestId);
  if (current === undefined) {
    deps.log.warn('process event for an unknown request', { request_id: requestId });
    return;
  }
  const state = effectiveState(current, nowMs);
  if (state.kind === 'lost') await deps.store.markLost(current, nowMs, state.errorCode, state.error);
  deps.log.info('not claimed', { request_id: requestId, status: current.status, attempt: current.attempt, effective: state.kind });
}
