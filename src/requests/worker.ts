import { clip } from '../clip.js';
import { ERROR_SENTENCES, ErrorCode, RequestStatus, type Progress } from '../contract.js';
import { delay } from '../delay.js';
import type { InvocationContext, WorkerDeps } from './ports.js';
import { describeError, type Logger } from '../log.js';
import { TaskError } from '../tasks/task.js';
import { RedeliverError, StorageRejectedError, StorageUnavailableError } from './errors.js';
import { MAX_ITEM_BYTES, itemSize } from './item-size.js';
import type { HeldLease, LeaseLoss } from './lease.js';
import { settle } from './lifecycle.js';
import { removeRecordedObjects } from './recorded-objects.js';
import { createRequestOutput, type RequestOutput } from './output.js';
import { createOutputStream } from './output-stream.js';
import { OutputTooLargeError } from '../storage/object-store.js';
import { placeJson } from './placement.js';
import { owesCallback, type ResultObject, type StoredRequest } from './model.js';
import { Metric } from '../metrics.js';
import type { Outcome } from './store.js';
import { retryWhileUnavailable } from './retry-writes.js';
import { CheckpointTooLargeError, ContinueSignal, StepStorageUnavailableError, SupersededSignal, createStepRunner, type StepRunner } from './steps.js';
import { nextContinuation } from './lambda-chain.js';
import { isLeaseHeld, leaseEnd, leaseWatchIntervalMs, nextSweepAt } from './transitions.js';

/** What one delivery of a process event did; logged, and asserted on by tests. */
export type ProcessResult = 'completed' | 'failed' | 'continued' | 'skipped' | 'superseded';

const DONE: Progress = { percent: 100, message: 'Done' };
/** A progress message is for a progress bar; anything longer is cut, so it never crowds the item. */
export const MAX_PROGRESS_MESSAGE_CHARS = 500;
/** A task's error sentence is for people; anything longer is cut. */
export const MAX_ERROR_CHARS = 1000;

/** Why a running task was stopped: its time (the invocation's or the request's deadline), a cancel or takeover, a lapsed lease. */
type Stop = { kind: 'timeout'; budgetMs: number; deadline: boolean } | { kind: 'superseded' } | { kind: 'lapsed' };
type RunResult =
  | { kind: 'returned'; value: unknown; steps: StepRunner }
  | { kind: 'failed'; outcome: Outcome }
  | { kind: 'continue'; steps: StepRunner }
  | { kind: 'superseded' }
  | { kind: 'lapsed' }
  | { kind: 'redeliver'; reason: string };

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
export async function processRequest(deps: WorkerDeps, requestId: string, invocation: InvocationContext, chainHops = 0): Promise<ProcessResult> {
  const claimed = await claim(deps, requestId, invocation);
  if (claimed === undefined) return 'skipped';
  const fields = { request_id: requestId, attempt: claimed.attempt, aws_request_id: invocation.awsRequestId };
  deps.log.info('claimed', { ...fields, task: claimed.task });
  const claimedAt = deps.now();
  if (claimed.attempt === 1) deps.metrics.put(Metric.QueueWaitMs, Math.max(0, claimedAt - Date.parse(claimed.created_at)));

  const output = createRequestOutput(deps.objects, requestId, claimed.attempt, deps.config.maxOutputBytes, deps.config.maxFiles, claimed);
  const run = await runTask(deps, claimed, output, invocation);
  if (run.kind === 'continue') return continueLater(deps, claimed, output, run.steps, invocation, chainHops);
  if (run.kind === 'superseded') {
    deps.log.info('superseded; stopping without writing', fields);
    await discardSuperseded(deps, output, fields, invocation);
    return 'superseded';
  }
  if (run.kind === 'lapsed') {
    // The task was stopped at its first chance; whatever it was doing is not trusted and not written.
    deps.log.error('lease lapsed unrenewed; stopped the task without writing, for the next delivery to take over', fields);
    await discard(deps, output, fields, invocation);
    throw new RedeliverError('the lease lapsed before the work finished');
  }
  if (run.kind === 'redeliver') {
    deps.log.error('storage out of reach for a step; failing the invocation for Lambda to deliver it again', { ...fields, reason: run.reason });
    await discard(deps, output, fields, invocation);
    throw new RedeliverError(run.reason);
  }
  const outcome = run.kind === 'failed' ? run.outcome : await completeOutcome(deps, { ...claimed, steps: run.steps.checkpoints() }, run.value, output, invocation);
  const ended = await finish(deps, claimed, outcome, invocation);
  if (ended === undefined) {
    await discardSuperseded(deps, output, fields, invocation);
    return 'superseded';
  }
  if (ended.status !== RequestStatus.Complete) await discard(deps, output, fields, invocation, ended);
  else await output.removeReplaced().catch((error: unknown) => deps.log.warn('could not remove the objects of files written again', { ...fields, ...describeError(error) }));
  deps.metrics.put(Metric.RunTimeMs, deps.now() - claimedAt);
  if (ended.status === RequestStatus.Complete) deps.metrics.put(Metric.Completed, 1);
  else deps.metrics.put(Metric.Failed, 1, ended.error_code);
  if (owesCallback(ended)) {
    try {
      await deps.webhooks?.deliverNow(ended, () => invocation.getRemainingTimeInMillis());
    } catch (error) {
      // The outcome is written; the sweeper delivers once this run's window is over.
      deps.log.warn('could not deliver the webhook; the sweeper will', { ...fields, ...describeError(error) });
    }
  }
  return ended.status === RequestStatus.Complete ? 'completed' : 'failed';
}

/**
 * Removes what an attempt wrote to the bucket when no outcome of its will point at it; once the
 * request has ended in error (`ended`), also what earlier attempts recorded (files, checkpoints),
 * since nothing will read them again. A failure only costs storage until the lifecycle rule.
 */
async function discard(deps: WorkerDeps, output: RequestOutput, fields: Record<string, unknown>, invocation: InvocationContext, ended?: StoredRequest): Promise<void> {
  // Writes still under way are waited for while the invocation has time; one that lands later removes itself.
  const remainingMs = invocation.getRemainingTimeInMillis();
  const waitMs = Math.max(0, remainingMs - safetyMarginMs(remainingMs));
  try {
    await (ended?.status === RequestStatus.Error ? output.removeAll(ended, waitMs) : output.discard(waitMs));
  } catch (error) {
    deps.log.warn('could not remove the objects of an attempt that wrote no outcome', { ...fields, ...describeError(error) });
  }
}

/** An attempt that lost the request: a cancel or the deadline ended it (all it holds goes), or another attempt took it over (only this one's leftovers go). */
async function discardSuperseded(deps: WorkerDeps, output: RequestOutput, fields: { request_id: string }, invocation: InvocationContext): Promise<void> {
  let current: StoredRequest | undefined;
  try {
    current = await deps.store.get(fields.request_id);
  } catch (error) {
    deps.log.warn('could not read the request to tell what its objects are for; removing only this attempt\'s leftovers', { ...fields, ...describeError(error) });
  }
  await discard(deps, output, fields, invocation, current);
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
    const claimed = await deps.store.claim(requestId, at, leaseEnd(at, leaseMs, at + invocation.getRemainingTimeInMillis()));
    if (claimed !== undefined) return claimed;

    const stored = await deps.store.get(requestId);
    if (stored === undefined) {
      deps.log.warn('process event for an unknown request', { request_id: requestId });
      return undefined;
    }
    const current = await settle(deps, stored, at);
    const leaseHeld = current !== undefined && isLeaseHeld(current, at);
    if (!leaseHeld || (await watchLease(deps, current, invocation)) === 'renewed') {
      deps.log.info('not claimed', { request_id: requestId, status: current?.status ?? 'expired', attempt: stored.attempt });
      // Ended while handed back: this continuation's event is the last to reach it, so it removes
      // what the request recorded, in case whatever ended it could not.
      if (current !== undefined) await removeRecordedObjects(deps, current);
      return undefined;
    }
  }
}

/** Time a waiting delivery keeps back to claim and run once the lease ends. */
const WATCH_RESERVE_MS = 5000;

/**
 * Waits until `seen`'s lease is renewed, or ends, or the request changes hands, reading it on an
 * interval. A live owner renews within a third of a lease; a delivery that runs out of time before
 * it can tell fails, so that Lambda delivers it again.
 */
async function watchLease(deps: WorkerDeps, seen: StoredRequest, invocation: InvocationContext): Promise<'renewed' | 'ended' | 'changed'> {
  const intervalMs = leaseWatchIntervalMs(deps.config.leaseSeconds * 1000);
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

/**
 * How a running task is stopped: `stop` aborts the worker's own signal (its reason a Stop) and
 * settles `stopped`; the task's signal fires with it, and also alone before a hand-back, which
 * is not a stop of the worker's.
 */
function stopControls() {
  const controller = new AbortController();
  const taskSignal = new AbortController();
  const stopped = new Promise<Stop>((resolve) =>
    controller.signal.addEventListener('abort', () => {
      taskSignal.abort(controller.signal.reason);
      resolve(controller.signal.reason as Stop);
    }, { once: true }),
  );
  return { controller, taskSignal, stopped, stop: (reason: Stop) => controller.abort(reason) };
}

/** Starts renewing the claimed request's lease for as long as this invocation may run. */
function holdLease(deps: WorkerDeps, claimed: StoredRequest, remainingMs: number): HeldLease {
  return deps.leases.hold({
    requestId: claimed.request_id,
    attempt: claimed.attempt,
    leaseMs: deps.config.leaseSeconds * 1000,
    leaseUntil: claimed.lease_until,
    progressIntervalMs: deps.config.progressIntervalMs,
    invocationEndsAt: Date.now() + remainingMs,
  });
}

/** Runs the task under the lease, until it returns, throws, or must stop (timeout, cancel, takeover, lapse) or continue. */
async function runTask(deps: WorkerDeps, claimed: StoredRequest, output: RequestOutput, invocation: InvocationContext): Promise<RunResult> {
  const task = deps.tasks.get(claimed.task);
  if (task === undefined) {
    return { kind: 'failed', outcome: taskFailed(`This deployment no longer runs the task "${claimed.task}".`) };
  }
  const startedAt = deps.now();
  const remainingMs = invocation.getRemainingTimeInMillis();
  const invocationBudgetMs = remainingMs - safetyMarginMs(remainingMs);
  const deadlineBudgetMs = claimed.deadline_at - startedAt;
  const budgetMs = Math.min(invocationBudgetMs, deadlineBudgetMs);
  const lease = holdLease(deps, claimed, remainingMs);
  const { controller, taskSignal, stopped, stop } = stopControls();
  const emitted = createOutputStream({
    store: deps.store,
    output,
    claimed,
    log: deps.log,
    inlineMaxBytes: deps.config.checkpointInlineMaxBytes,
    itemBytes: () => itemSize({ ...claimed, steps: steps.checkpoints(), artifacts: output.artifacts() }),
    onSuperseded: () => stop({ kind: 'superseded' }),
  });
  const steps = createStepRunner({
    store: deps.store,
    objects: deps.objects,
    log: deps.log,
    now: deps.now,
    claimed,
    output,
    lease,
    count: task.steps,
    budgetMs: deps.config.stepBudgetSeconds * 1000,
    inlineMaxBytes: deps.config.checkpointInlineMaxBytes,
    invocation,
    outputItemBytes: () => emitted.itemBytes(),
    flushOutput: () => emitted.flush(),
  });

  const timer = setTimeout(() => stop({ kind: 'timeout', budgetMs, deadline: deadlineBudgetMs <= invocationBudgetMs }), Math.max(0, budgetMs));
  void lease.lost.then((reason: LeaseLoss) => stop(reason === 'lapsed' ? { kind: 'lapsed' } : { kind: 'superseded' }));

  try {
    const work = task.run({
      input: claimed.input,
      signal: taskSignal.signal,
      reportProgress(progress) {
        // A task that kept the event loop past its lease is stopped here, at its first sign of life.
        if (lease.lapsed()) stop({ kind: 'lapsed' });
        lease.report({
          percent: Math.max(0, Math.min(100, Math.round(Number(progress.percent) || 0))),
          message: clip(String(progress.message), MAX_PROGRESS_MESSAGE_CHARS),
        });
      },
      emit: (text) => emitted.emit(text),
      files: output.files,
      step: (name, run) => steps.step(name, run),
      continueLater: () => steps.continueLater(),
    });
    // A result that is in counts, whatever fired meanwhile: its write is fenced, so it lands only
    // if this attempt still holds the request.
    const returned = work.then(async (value): Promise<RunResult> => {
      // The outcome (or hand-back) must never land ahead of the output that led to it.
      await emitted.flush();
      return { kind: 'returned', value, steps };
    });
    const ended = await Promise.race([returned, stopped]);
    // A task that swallowed the signal to continue (say in Promise.allSettled) returned without its later steps.
    if (ended.kind === 'returned' && steps.continuing()) return await handOver(steps, taskSignal, stopped);
    return ended.kind !== 'timeout' ? ended : afterTimeout(ended, steps);
  } catch (error) {
    if (controller.signal.aborted) {
      const reason = controller.signal.reason as Stop;
      return reason.kind === 'timeout' ? afterTimeout(reason, steps) : reason;
    }
    // `step` throws its ContinueSignal only once the runner is continuing, whatever the task does with it.
    if (steps.continuing()) return await handOver(steps, taskSignal, stopped);
    if (error instanceof SupersededSignal) return { kind: 'superseded' };
    if (error instanceof CheckpointTooLargeError) return { kind: 'failed', outcome: tooLarge(error.message) };
    if (error instanceof StepStorageUnavailableError) return { kind: 'redeliver', reason: error.message };
    return { kind: 'failed', outcome: failedOutcome(deps, claimed, error, invocation) };
  } finally {
    clearTimeout(timer);
    await lease.release();
  }
}

/**
 * Before a hand-back, the steps still under way in this invocation (side by side with the one that
 * asked to continue) get their signal aborted, with a ContinueSignal as its reason, and are waited
 * for until the invocation's time is up: a checkpoint that lands meanwhile is kept, so its step
 * never runs again; one that does not land is fenced out by the hand-back and reruns, and its
 * object is removed (see continueLater).
 */
async function handOver(steps: StepRunner, taskSignal: AbortController, stopped: Promise<Stop>): Promise<RunResult> {
  taskSignal.abort(new ContinueSignal('the request continues in a fresh invocation'));
  const ended = await Promise.race([steps.settled().then((): RunResult => ({ kind: 'continue', steps })), stopped]);
  return ended.kind === 'timeout' ? afterTimeout(ended, steps) : ended;
}

/**
 * Out of time: past the request's deadline it ends as deadline_exceeded; out of the invocation's
 * time, a task that has checkpointed a step here goes on in a fresh invocation from its last
 * checkpoint (the step under way runs again there, with a whole invocation to itself); one that
 * has not could not finish in any invocation, and ends as timeout.
 */
function afterTimeout(stop: Extract<Stop, { kind: 'timeout' }>, steps: StepRunner): RunResult {
  if (stop.deadline) return { kind: 'failed', outcome: { status: RequestStatus.Error, errorCode: ErrorCode.DeadlineExceeded, error: ERROR_SENTENCES[ErrorCode.DeadlineExceeded] } };
  if (steps.ranHere() > 0) return { kind: 'continue', steps };
  const error = `The work did not finish within the ${Math.round(stop.budgetMs / 1000)} s it was allowed.`;
  return { kind: 'failed', outcome: { status: RequestStatus.Error, errorCode: ErrorCode.Timeout, error } };
}

/**
 * Hands the request back to go on in a fresh invocation: pending again, its files recorded, and
 * the same `{"action":"process"}` event sent, or left to the sweeper when the chain of direct
 * invocations is long (see lambda-chain.ts). A continuation is not a failed attempt.
 */
async function continueLater(deps: WorkerDeps, claimed: StoredRequest, output: RequestOutput, steps: StepRunner, invocation: InvocationContext, chainHops: number): Promise<ProcessResult> {
  const fields = { request_id: claimed.request_id, attempt: claimed.attempt };
  // Counted by the events themselves: a late event of an old chain still knows how far that chain went.
  const chain = nextContinuation(chainHops, deps.config.continuationChainMax);
  const now = deps.now();
  const handedBack = await retryWhileUnavailable(deps.log, invocation, fields, () =>
    deps.store.handBack(claimed.request_id, claimed.attempt, deps.now(), {
      step: steps.reached(),
      artifacts: output.commit(),
      replaced: output.replaced(),
      sweepAt: nextSweepAt({ on: 'hand_back', nowMs: now, graceMs: deps.config.sweepGraceSeconds * 1000, deadlineAt: claimed.deadline_at, dispatched: chain.dispatch }),
    }),
  );
  if (handedBack === undefined) {
    deps.log.info('not handed back: the request was cancelled, expired or taken over', fields);
    await discardSuperseded(deps, output, fields, invocation);
    return 'superseded';
  }
  deps.metrics.put(Metric.Continued, 1);
  deps.log.info('continues in a fresh invocation', { ...fields, step: steps.reached()?.name, chain_hops: chain.chainHops, dispatched: chain.dispatch });
  if (chain.dispatch) {
    try {
      await (await deps.dispatcher()).dispatch(claimed.request_id, invocation.invokedFunctionArn, { hops: chain.chainHops });
    } catch (error) {
      deps.log.warn('could not dispatch the continuation; the sweeper will', { ...fields, ...describeError(error) });
    }
  }
  // This attempt is over: what it wrote and the hand-back did not record goes, and a step still
  // under way (past the bounded wait in handOver) that writes later removes its object itself.
  await discard(deps, output, fields, invocation);
  return 'continued';
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
  // A task that caught the refusal of a write past the limit and returned anyway is still past it.
  if (output.overflowed()) return outputTooLarge(deps);
  const artifacts = output.artifacts();
  const itemWith = (fields: Record<string, unknown>) =>
    itemSize({ ...claimed, ...fields, status: RequestStatus.Complete, artifacts, progress: DONE, updated_at: new Date().toISOString(), lease_until: 0 });
  const placement = placeJson({
    json,
    parse: () => JSON.parse(json) as unknown,
    inlineMaxBytes: deps.config.inlineResultMaxBytes,
    depth: 0,
    itemBytesWith: (result) => itemWith({ result }),
    itemMaxBytes: MAX_ITEM_BYTES,
    hasBucket: deps.objects !== undefined,
  });
  if (placement.where === 'inline') return { status: RequestStatus.Complete, result: placement.value, artifacts, progress: DONE };
  if (placement.where === 'refused') {
    if (placement.unstorable !== undefined) return taskFailed(`The task returned a result that cannot be stored: it ${placement.unstorable}.`);
    return tooLarge(`The result is ${Buffer.byteLength(json)} bytes; with its input the request would pass the ${MAX_ITEM_BYTES} bytes a request can hold, and this deployment has no results bucket.`);
  }
  let resultObject: ResultObject;
  try {
    resultObject = await retryWhileUnavailable(deps.log, invocation, { request_id: claimed.request_id, attempt: claimed.attempt, writing: 'result' }, () => output.putResult(json));
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

/**
 * Writes the outcome. A request that owes a webhook stays in the sweep index, due once this
 * invocation's delivery run would be over: the sweeper delivers if this worker dies first.
 */
function writeOutcome(deps: WorkerDeps, claimed: StoredRequest, outcome: Outcome, invocation: InvocationContext): Promise<StoredRequest | undefined> {
  return retryWhileUnavailable(deps.log, invocation, { request_id: claimed.request_id, attempt: claimed.attempt }, () => {
    const now = deps.now();
    const sweepAt = nextSweepAt({ on: 'finish', nowMs: now, owesCallback: owesCallback(claimed), deliveryWindowMs: deps.webhooks?.runWindowMs ?? 0 });
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
