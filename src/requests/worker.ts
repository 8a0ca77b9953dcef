import { clip } from '../clip.js';
import { ErrorCode, RequestStatus, type Progress } from '../contract.js';
import { delay } from '../delay.js';
import type { InvocationContext, WorkerDeps } from '../handler-deps.js';
import { describeError, type Logger } from '../log.js';
import { TaskError } from '../tasks/task.js';
import { RedeliverError, StorageRejectedError, StorageUnavailableError } from './errors.js';
import { MAX_ITEM_BYTES, itemSize } from './item-size.js';
import type { HeldLease, LeaseLoss } from './lease.js';
import { settle } from './lifecycle.js';
import { createRequestOutput, type RequestOutput } from './output.js';
import { OutputTooLargeError } from '../storage/object-store.js';
import { unstorableReason } from './storable.js';
import { owesCallback, type ResultObject, type StoredRequest } from './model.js';
import { TRIES_IN_INVOCATION, deliveryWindowMs } from '../callbacks/schedule.js';
import { Metric } from '../metrics.js';
import type { Outcome } from './store.js';

/** What one delivery of a process event did; logged, and asserted on by tests. */
export type ProcessResult = 'completed' | 'failed' | 'skipped' | 'superseded';

const DONE: Progress = { percent: 100, message: 'Done' };
/** A progress message is for a progress bar; anything longer is cut, so it never crowds the item. */
export const MAX_PROGRESS_MESSAGE_CHARS = 500;
/** A task's error sentence is for people; anything longer is cut. */
export const MAX_ERROR_CHARS = 1000;

type Stop = { kind: 'timeout'; budgetMs: number } | { kind: 'superseded' } | { kind: 'lapsed' };
type RunResult = { kind: 'returned'; value: unknown } | { kind: 'failed'; outcome: Outcome } | Stop;

/** Stop this long before Lambda would kill us, so the timeout can still be written. */
function safetyMarginMs(remainingMs: number): number {
  return Math.min(5000, Math.max(500, remainingMs * 0.05));
}


/**
 * Runs one delivery of `{"action":"process"}`: claim, run, finish. Async delivery is at least once,
 * so the claim is a conditional write, and every later write is fenced by this worker's attempt
 * number: a worker that lost its lease can never overwrite a newer outcome. Throws when the event
 * must be delivered again (the table is unreachable, or the lease lapsed before an outcome).
 */
export async function processRequest(deps: WorkerDeps, requestId: string, invocation: InvocationContext): Promise<ProcessResult> {
  const claimed = await claim(deps, requestId, invocation);
  if (claimed === undefined) return 'skipped';
  const fields = { request_id: requestId, attempt: claimed.attempt, aws_request_id: invocation.awsRequestId };
  deps.log.info('claimed', { ...fields, task: claimed.task });
  const claimedAt = deps.now();
  if (claimed.attempt === 1) deps.metrics.put(Metric.QueueWaitMs, Math.max(0, claimedAt - Date.parse(claimed.created_at)));

  const output = createRequestOutput(deps.objects, requestId, claimed.attempt, deps.config.maxOutputBytes);
  const run = await runTask(deps, claimed, output, invocation);
  if (run.kind === 'superseded') {
    deps.log.info('superseded; stopping without writing', fields);
    await discard(deps, output, fields);
    return 'superseded';
  }
  if (run.kind === 'lapsed') {
    // The task was stopped at its first chance; whatever it was doing is not trusted and not written.
    deps.log.error('lease lapsed unrenewed; stopped the task without writing, for the next delivery to take over', fields);
    await discard(deps, output, fields);
    throw new RedeliverError('the lease lapsed before the work finished');
  }
  let outcome: Outcome;
  if (run.kind === 'timeout') {
    const error = `The work did not finish within the ${Math.round(run.budgetMs / 1000)} s it was allowed.`;
    outcome = { status: RequestStatus.Error, errorCode: ErrorCode.Timeout, error };
  } else {
    outcome = run.kind === 'failed' ? run.outcome : await completeOutcome(deps, claimed, run.value, output, invocation);
  }
  const ended = await finish(deps, claimed, outcome, invocation);
  if (ended?.status !== RequestStatus.Complete) await discard(deps, output, fields);
  if (ended === undefined) return 'superseded';
  deps.metrics.put(Metric.RunTimeMs, deps.now() - claimedAt);
  if (ended.status === RequestStatus.Complete) deps.metrics.put(Metric.Completed, 1);
  else deps.metrics.put(Metric.Failed, 1, ended.error_code);
  if (owesCallback(ended)) {
    try {
      const { deliverCallback } = await import('../callbacks/notify.js');
      await deliverCallback(deps, ended, { maxTries: TRIES_IN_INVOCATION, remainingMs: () => invocation.getRemainingTimeInMillis() });
    } catch (error) {
      // The outcome is written; the sweeper delivers once this run's window is over.
      deps.log.warn('could not deliver the webhook; the sweeper will', { ...fields, ...describeError(error) });
    }
  }
  return ended.status === RequestStatus.Complete ? 'completed' : 'failed';
}

/** Removes what an attempt wrote to the bucket when no outcome of its will point at it; a failure only costs storage until the lifecycle rule. */
async function discard(deps: WorkerDeps, output: RequestOutput, fields: Record<string, unknown>): Promise<void> {
  try {
    await output.discard();
  } catch (error) {
    deps.log.warn('could not remove the objects of an attempt that wrote no outcome', { ...fields, ...describeError(error) });
  }
}

/**
 * Takes the request for this worker. When another attempt holds a live lease, that worker may be
 * alive (this is a duplicate delivery) or dead (this is Lambda's retry after its crash, and the
 * retry came before its lease ran out): the lease is watched until it is renewed (alive: leave it)
 * or ends unrenewed (dead: take over), so a retry is never swallowed by a dead worker's lease.
 */
async function claim(deps: WorkerDeps, requestId: string, invocation: InvocationContext): Promise<StoredRequest | undefined> {
  const leaseMs = deps.config.leaseSeconds * 1000;
  for (;;) {
    const at = deps.now();
    const claimed = await deps.store.claim(requestId, at, at + Math.min(leaseMs, invocation.getRemainingTimeInMillis()));
    if (claimed !== undefined) return claimed;

    const stored = await deps.store.get(requestId);
    if (stored === undefined) {
      deps.log.warn('process event for an unknown request', { request_id: requestId });
      return undefined;
    }
    const current = await settle(deps, stored, at);
    const leaseHeld = current?.status === RequestStatus.Processing && current.lease_until > at;
    if (!leaseHeld || (await watchLease(deps, current, invocation)) === 'renewed') {
      deps.log.info('not claimed', { request_id: requestId, status: current?.status ?? 'expired', attempt: stored.attempt });
      return undefined;
    }
  }
}

/** How often a waiting delivery looks at another attempt's lease (one consistent read each time). */
function watchIntervalMs(leaseMs: number): number {
  return Math.min(2000, Math.max(250, leaseMs / 6));
}
/** Time a waiting delivery keeps back to claim and run once the lease ends. */
const WATCH_RESERVE_MS = 5000;

/**
 * Waits until `seen`'s lease is renewed, or ends, or the request changes hands, reading it on an
 * interval. A live owner renews within a third of a lease; a delivery that runs out of time before
 * it can tell fails, so that Lambda delivers it again.
 */
async function watchLease(deps: WorkerDeps, seen: StoredRequest, invocation: InvocationContext): Promise<'renewed' | 'ended' | 'changed'> {
  const intervalMs = watchIntervalMs(deps.config.leaseSeconds * 1000);
  while (deps.now() < seen.lease_until) {
    if (invocation.getRemainingTimeInMillis() < intervalMs + WATCH_RESERVE_MS) {
      throw new RedeliverError("another attempt's lease outlasts this invocation");
    }
    await delay(Math.min(intervalMs, Math.max(0, seen.lease_until - deps.now())));
    const current = await deps.store.get(seen.request_id);
    if (current?.status !== seen.status || current.attempt !== seen.attempt) return 'changed';
    if (current.lease_until !== seen.lease_until) return 'renewed';
  }
  return 'ended';
}

/** Runs the task under the lease, until it returns, throws, or must stop (timeout, cancel, takeover, lapse). */
async function runTask(deps: WorkerDeps, claimed: StoredRequest, output: RequestOutput, invocation: InvocationContext): Promise<RunResult> {
  const task = deps.tasks.get(claimed.task);
  if (task === undefined) {
    return { kind: 'failed', outcome: taskFailed(`This deployment no longer runs the task "${claimed.task}".`) };
  }
  const startedAt = deps.now();
  const remainingMs = invocation.getRemainingTimeInMillis();
  const budgetMs = Math.min(remainingMs - safetyMarginMs(remainingMs), claimed.deadline_at - startedAt);
  const lease: HeldLease = deps.leases.hold({
    requestId: claimed.request_id,
    attempt: claimed.attempt,
    leaseMs: deps.config.leaseSeconds * 1000,
    leaseUntil: claimed.lease_until,
    progressIntervalMs: deps.config.progressIntervalMs,
    invocationEndsAt: Date.now() + remainingMs,
  });

  const controller = new AbortController();
  const stopped = new Promise<Stop>((resolve) =>
    controller.signal.addEventListener('abort', () => resolve(controller.signal.reason as Stop), { once: true }),
  );
  const stop = (reason: Stop) => controller.abort(reason);
  const timer = setTimeout(() => stop({ kind: 'timeout', budgetMs }), Math.max(0, budgetMs));
  void lease.lost.then((reason: LeaseLoss) => stop(reason === 'lapsed' ? { kind: 'lapsed' } : { kind: 'superseded' }));

  try {
    const work = task.run({
      input: claimed.input,
      signal: controller.signal,
      reportProgress(progress) {
        // A task that kept the event loop past its lease is stopped here, at its first sign of life.
        if (lease.lapsed()) stop({ kind: 'lapsed' });
        lease.report({
          percent: Math.max(0, Math.min(100, Math.round(Number(progress.percent) || 0))),
          message: clip(String(progress.message), MAX_PROGRESS_MESSAGE_CHARS),
        });
      },
      files: output.files,
    });
    // A result that is in counts, whatever fired meanwhile: its write is fenced, so it lands only
    // if this attempt still holds the request.
    return await Promise.race([work.then((value): RunResult => ({ kind: 'returned', value })), stopped]);
  } catch (error) {
    if (controller.signal.aborted) return controller.signal.reason as Stop;
    return { kind: 'failed', outcome: failedOutcome(deps, claimed, error, invocation) };
  } finally {
    clearTimeout(timer);
    await lease.release();
  }
}

function taskFailed(error: string): Outcome {
  return { status: RequestStatus.Error, errorCode: ErrorCode.TaskFailed, error };
}

function tooLarge(error: string): Outcome {
  return { status: RequestStatus.Error, errorCode: ErrorCode.ResultTooLarge, error };
}

/**
 * The task's result as it will be stored. JSON (what is not JSON is refused, rather than left to
 * fail in the SDK's marshalling); in the item when it is small (INLINE_RESULT_MAX_BYTES) and the
 * whole item, input included, fits DynamoDB's 400 KB as DynamoDB counts it; else in the bucket,
 * written before the outcome so no view ever points at a missing object.
 */
async function completeOutcome(deps: WorkerDeps, claimed: StoredRequest, value: unknown, output: RequestOutput, invocation: InvocationContext): Promise<Outcome> {
  let json: string;
  try {
    json = JSON.stringify(value ?? null) ?? 'null';
  } catch {
    return taskFailed('The task returned a result that is not JSON.');
  }
  const artifacts = output.artifacts();
  const itemWith = (fields: Record<string, unknown>) =>
    itemSize({ ...claimed, ...fields, status: RequestStatus.Complete, artifacts, progress: DONE, updated_at: new Date().toISOString(), lease_until: 0 });
  const bytes = Buffer.byteLength(json);
  let unstorable: string | undefined;
  if (bytes <= deps.config.inlineResultMaxBytes) {
    const result = JSON.parse(json) as unknown;
    unstorable = unstorableReason(result);
    if (unstorable === undefined && itemWith({ result }) <= MAX_ITEM_BYTES) return { status: RequestStatus.Complete, result, artifacts, progress: DONE };
  }
  if (deps.objects === undefined) {
    if (unstorable !== undefined) return taskFailed(`The task returned a result that cannot be stored: it ${unstorable}.`);
    return tooLarge(`The result is ${bytes} bytes; with its input the request would pass the ${MAX_ITEM_BYTES} bytes a request can hold, and this deployment has no results bucket.`);
  }
  let resultObject: ResultObject;
  try {
    resultObject = await retryWhileUnavailable(deps, invocation, { request_id: claimed.request_id, attempt: claimed.attempt, writing: 'result' }, () => output.putResult(json));
  } catch (error) {
    if (error instanceof OutputTooLargeError) return outputTooLarge(deps);
    throw error;
  }
  if (itemWith({ result_object: resultObject }) > MAX_ITEM_BYTES) return tooLarge(`The task wrote ${artifacts.length} files: too many for a request to list.`);
  return { status: RequestStatus.Complete, resultObject, artifacts, progress: DONE };
}

function outputTooLarge(deps: WorkerDeps): Outcome {
  return tooLarge(`The task wrote more than the ${deps.config.maxOutputBytes} bytes a request may hold (MAX_OUTPUT_BYTES).`);
}

function failedOutcome(deps: WorkerDeps, claimed: StoredRequest, error: unknown, invocation: InvocationContext): Outcome {
  if (error instanceof TaskError) return taskFailed(clip(error.message, MAX_ERROR_CHARS));
  if (error instanceof OutputTooLargeError) return outputTooLarge(deps);
  deps.log.error('task threw', { request_id: claimed.request_id, attempt: claimed.attempt, aws_request_id: invocation.awsRequestId, ...describeError(error) });
  return taskFailed(`The task failed. Reference: ${invocation.awsRequestId}`);
}

/** Backoff between tries of an outcome's writes while the table or the bucket is unreachable. */
const RETRY_DELAYS_MS = [200, 500, 1000, 2000, 4000];
const RETRY_RESERVE_MS = 500;

/**
 * Runs `write` again while the store is unreachable and the invocation has time left: the outcome
 * exists only in this process, and a retried event would have to redo the work. A call the store
 * refuses for good is not retried.
 */
async function retryWhileUnavailable<T>(deps: WorkerDeps, invocation: InvocationContext, fields: Record<string, unknown>, write: () => Promise<T>): Promise<T> {
  for (let tries = 0; ; tries += 1) {
    try {
      return await write();
    } catch (error) {
      const wait = RETRY_DELAYS_MS[Math.min(tries, RETRY_DELAYS_MS.length - 1)]!;
      if (!(error instanceof StorageUnavailableError) || invocation.getRemainingTimeInMillis() < wait + RETRY_RESERVE_MS) throw error;
      deps.log.warn('outcome write failed; retrying', { ...fields, ...describeError(error) });
      await delay(wait);
    }
  }
}

/**
 * Writes the outcome. A request that owes a webhook stays in the sweep index, due once this
 * invocation's delivery run would be over: the sweeper delivers if this worker dies first.
 */
function writeOutcome(deps: WorkerDeps, claimed: StoredRequest, outcome: Outcome, invocation: InvocationContext): Promise<StoredRequest | undefined> {
  return retryWhileUnavailable(deps, invocation, { request_id: claimed.request_id, attempt: claimed.attempt }, () => {
    const now = deps.now();
    const sweepAt = owesCallback(claimed) ? now + deliveryWindowMs(deps.config.callbackTimeoutMs) : undefined;
    return deps.store.finish(claimed.request_id, claimed.attempt, now, outcome, sweepAt);
  });
}

/** Writes the outcome; answers the ended item, or undefined when the request was no longer this attempt's. */
async function finish(deps: WorkerDeps, claimed: StoredRequest, outcome: Outcome, invocation: InvocationContext): Promise<StoredRequest | undefined> {
  const fields = { request_id: claimed.request_id, attempt: claimed.attempt };
  let final = outcome;
  let written: StoredRequest | undefined;
  try {
    written = await writeOutcome(deps, claimed, final, invocation);
  } catch (error) {
    if (!(error instanceof StorageRejectedError) || final.status !== RequestStatus.Complete) throw error;
    // The size estimate let it through, yet the table refused the result: record that, once.
    deps.log.error('the table refused the result; recording result_too_large', { ...fields, ...describeError(error) });
    final = tooLarge('The result could not be stored: the table refused it as over its item limits.');
    written = await writeOutcome(deps, claimed, final, invocation);
  }
  if (written === undefined) {
    deps.log.info('outcome not written: the request was cancelled, expired or taken over', { ...fields, status: final.status });
    return undefined;
  }
  deps.log.info('finished', { ...fields, status: final.status, ...(final.status === RequestStatus.Error ? { error_code: final.errorCode } : {}) });
  return written;
}
