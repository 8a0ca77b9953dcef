import { CallbackStatus, isTerminal, RequestStatus } from '../contract.js';
import type { InvocationContext, SweepDeps } from './ports.js';
import { describeError } from '../log.js';
import { Metric } from '../metrics.js';
import { isExpired, settle } from './lifecycle.js';
import { owesCallback, type StoredRequest } from './model.js';
import { SWEEP_SHARDS } from './sweep-index.js';
import { isLeaseHeld, nextSweepAt, retryDueAt } from './transitions.js';

export type { SweepDeps } from './ports.js';

/** What one sweep did with the requests that were due; logged, and asserted on by tests. */
export interface SweepReport {
  due: number;
  /** Dispatched again: never claimed within the grace period, or lapsed and not retried. */
  redispatched: number;
  /** Found lost (worker_lost, deadline_exceeded) and ended. */
  ended: number;
  /** Webhook delivery runs handed to `deliver` events. */
  deliveries: number;
  /** Entries taken out of the index: nothing more to check. */
  cleared: number;
  /** Looked at, nothing to do yet: the entry moved to the next time to look. */
  rescheduled: number;
  /** Skipped: someone else acted on them first, or the item changed since the index was read. */
  skipped: number;
  failed: number;
}

/** Requests swept at once; a sweep's time is mostly waiting on DynamoDB. */
const CONCURRENCY = 8;
/** Time kept back to finish the request under way and log the report: this, or a quarter of a short invocation. */
const RESERVE_MS = 2000;

/**
 * `{"action":"sweep"}`, sent by the schedule every minute: reads the due entries of the sweep index
 * (at most SWEEP_BATCH, the soonest first, no scan) and for each request, read again consistently:
 * re-dispatches one no worker claimed within SWEEP_GRACE_SECONDS (a lost event costs a minute, not
 * the deadline), or one whose lease lapsed and that Lambda did not retry; ends one that is lost
 * (worker_lost, deadline_exceeded) as soon as it is; hands each owed webhook to a `deliver` event
 * of its own, so a receiver that hangs slows no sweep; clears the rest. Never throws: a failure is
 * logged and the entry stays due for the next sweep.
 */
export async function sweep(deps: SweepDeps, invocation: InvocationContext): Promise<SweepReport> {
  const report: SweepReport = { due: 0, redispatched: 0, ended: 0, deliveries: 0, cleared: 0, rescheduled: 0, skipped: 0, failed: 0 };
  const now = deps.now();
  const shards = await Promise.allSettled(SWEEP_SHARDS.map((shard) => deps.store.dueForSweep(shard, now, deps.config.sweepBatch)));
  const due: string[] = [];
  const found: Array<{ requestId: string; sweepAt: number }> = [];
  for (const shard of shards) {
    if (shard.status === 'fulfilled') found.push(...shard.value);
    else deps.log.warn('could not read the sweep index', describeError(shard.reason));
  }
  found.sort((a, b) => a.sweepAt - b.sweepAt);
  for (const entry of found.slice(0, deps.config.sweepBatch)) due.push(entry.requestId);
  report.due = due.length;

  const reserveMs = Math.min(RESERVE_MS, invocation.getRemainingTimeInMillis() / 4);
  let next = 0;
  const lane = async () => {
    while (next < due.length && invocation.getRemainingTimeInMillis() > reserveMs) {
      const requestId = due[next++]!;
      try {
        report[await sweepOne(deps, requestId, invocation)] += 1;
      } catch (error) {
        report.failed += 1;
        deps.log.warn('could not sweep a request', { request_id: requestId, ...describeError(error) });
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(CONCURRENCY, due.length) }, lane));
  if (next < due.length) deps.log.warn('sweep out of time; the rest wait for the next sweep', { left: due.length - next, aws_request_id: invocation.awsRequestId });
  deps.log.info('swept', { ...report, aws_request_id: invocation.awsRequestId });
  return report;
}

type Action = Exclude<keyof SweepReport, 'due' | 'failed'>;

async function sweepOne(deps: SweepDeps, requestId: string, invocation: InvocationContext): Promise<Action> {
  const now = deps.now();
  const item = await deps.store.get(requestId);
  // Gone, or moved on since the (eventually consistent) index was read: a claim or an end set its next look.
  if (item?.sweep_at === undefined || item.sweep_at > now) return 'skipped';
  if (isExpired(item, now)) return clearExpired(deps, item);

  let current: StoredRequest = item;
  let ended = false;
  if (!isTerminal(item.status)) {
    const settled = await settle(deps, item, now);
    if (settled === undefined) return 'skipped';
    ended = isTerminal(settled.status);
    if (!ended) return sweepLive(deps, settled, now, invocation);
    deps.log.info('sweeper found a request ended', { request_id: requestId, error_code: settled.error_code });
    current = settled;
  }
  // A worker that just ended it holds the entry for its own delivery run.
  if (current.sweep_at === undefined || current.sweep_at > now) return ended ? 'ended' : 'skipped';
  if (owesCallback(current)) {
    const handed = await handOffDelivery(deps, current, invocation);
    return ended ? 'ended' : handed ? 'deliveries' : 'skipped';
  }
  const cleared = await deps.store.reschedule(requestId, current.sweep_at, undefined);
  return ended ? 'ended' : cleared ? 'cleared' : 'skipped';
}

/**
 * Claims the webhook's entry for one delivery run (moved past the run's longest time, so no other
 * sweep hands it off meanwhile) and sends the run its own `deliver` event carrying the claim. If
 * the event is lost, the entry comes due again once the run's time is over.
 */
async function handOffDelivery(deps: SweepDeps, item: StoredRequest, invocation: InvocationContext): Promise<boolean> {
  const runUntil = nextSweepAt({ on: 'delivery_run', nowMs: deps.now(), deliveryWindowMs: deps.webhooks?.runWindowMs ?? 0 });
  const claimed = await deps.store.reschedule(item.request_id, item.sweep_at!, runUntil);
  if (claimed === undefined) return false;
  await (await deps.dispatcher()).dispatch(item.request_id, invocation.invokedFunctionArn, { action: 'deliver', claim: claimed.sweep_at });
  return true;
}

/** An expired request leaves the index; a webhook it still owes is given up, and says so. */
async function clearExpired(deps: SweepDeps, item: StoredRequest): Promise<Action> {
  if (!owesCallback(item)) return (await deps.store.reschedule(item.request_id, item.sweep_at!, undefined)) ? 'cleared' : 'skipped';
  const callback = item.callback!;
  const recorded = await deps.store.recordDelivery(item.request_id, callback.attempts, { ...callback, status: CallbackStatus.Failed }, undefined);
  if (!recorded) return 'skipped';
  deps.log.error('webhook given up: the request expired first (REQUEST_TTL_SECONDS is shorter than its retries)', {
    request_id: item.request_id,
    attempts: callback.attempts,
    last_status: callback.last_status,
  });
  deps.metrics.put(Metric.WebhookFailures, 1);
  return 'cleared';
}

/** A request still pending or processing, that may still finish. */
async function sweepLive(deps: SweepDeps, item: StoredRequest, now: number, invocation: InvocationContext): Promise<Action> {
  const graceMs = deps.config.sweepGraceSeconds * 1000;
  const deadlineAt = item.deadline_at;
  const afterRedispatch = nextSweepAt({ on: 'redispatch', nowMs: now, graceMs, deadlineAt });
  const seenAt = item.sweep_at!;

  if (item.status === RequestStatus.Pending) {
    // Its entry is due: no worker claimed it within the grace period its submit or hand-back set
    // (its event was lost), or a continuation was left to the sweeper to start a new chain.
    if (item.attempt === 0) {
      // Marked first, so the submit's own clean-up of a failed dispatch cannot remove what is queued here.
      if (!(await deps.store.markRedispatched(item.request_id, afterRedispatch, seenAt))) return 'skipped';
      return redispatch(deps, item, invocation, 'no worker claimed it within the grace period');
    }
    // Its event starts a new chain of invocations (no hops): the sweeper's own comes from the schedule.
    if ((await deps.store.reschedule(item.request_id, seenAt, afterRedispatch)) === undefined) return 'skipped';
    return redispatch(deps, item, invocation, 'a continuation no worker claimed, or one left to the sweeper');
  }
  if (isLeaseHeld(item, now)) {
    // A live worker; renewals moved its lease on since the claim set this entry.
    const atLeaseEnd = nextSweepAt({ on: 'worker_alive', leaseUntil: item.lease_until, deadlineAt });
    return (await deps.store.reschedule(item.request_id, seenAt, atLeaseEnd)) ? 'rescheduled' : 'skipped';
  }
  // The lease lapsed with attempts left: Lambda retries a failed invocation itself, so wait a grace
  // period past the lease for that retry, then dispatch (a duplicate of a late retry is harmless).
  if (now < retryDueAt(item, graceMs)) {
    const afterRetry = nextSweepAt({ on: 'retry_awaited', leaseUntil: item.lease_until, graceMs, deadlineAt });
    return (await deps.store.reschedule(item.request_id, seenAt, afterRetry)) ? 'rescheduled' : 'skipped';
  }
  if ((await deps.store.reschedule(item.request_id, seenAt, afterRedispatch)) === undefined) return 'skipped';
  return redispatch(deps, item, invocation, 'its lease lapsed and no retry claimed it');
}

async function redispatch(deps: SweepDeps, item: StoredRequest, invocation: InvocationContext, reason: string): Promise<Action> {
  const dispatcher = await deps.dispatcher();
  // A failure leaves the entry due again after the grace period: the next sweep tries again.
  await dispatcher.dispatch(item.request_id, invocation.invokedFunctionArn);
  deps.metrics.put(Metric.Redispatched, 1);
  deps.log.warn(`re-dispatched a request: ${reason}`, { request_id: item.request_id, status: item.status, attempt: item.attempt });
  return 'redispatched';
}
