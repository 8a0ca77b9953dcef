import { RequestStatus, type Progress, type StepView } from '../contract.js';

/**
 * The request state machine's policy in one place: when a lease is held, lapsed or lost, how and
 * how often it is renewed, the conditions that fence a worker's writes, and when the sweeper looks
 * at a request next. The store, the lease thread, the worker, the sweeper, webhook delivery and the
 * local stack's recovery all ask here; none re-states a rule of its own.
 */

/** The fields of a stored request the lease rules read (model.ts builds on this module, not the reverse). */
interface LeaseFields {
  status: string;
  lease_until: number;
}

/** TTL deletes items up to days late, so expiry is decided here, on every read. */
export function isExpired(item: { expires_at: number }, nowMs: number): boolean {
  return item.expires_at * 1000 <= nowMs;
}

/** A worker holds the request: it is processing and its lease has not run out. */
export function isLeaseHeld(item: LeaseFields, nowMs: number): boolean {
  return item.status === RequestStatus.Processing && item.lease_until > nowMs;
}

/** The request is processing but its lease ran out unrenewed: its worker is dead or stuck. */
export function isLeaseLapsed(item: LeaseFields, nowMs: number): boolean {
  return item.status === RequestStatus.Processing && item.lease_until <= nowMs;
}

/** A lapsed lease with no attempt left: no worker can still finish the request (`worker_lost`). */
export function isWorkerLost(item: LeaseFields & { attempt: number; max_attempts: number }, nowMs: number): boolean {
  return isLeaseLapsed(item, nowMs) && item.attempt >= item.max_attempts;
}

/** Whether the request is still the worker's of `attempt`: what a fenced write checks, read back. */
export function isHeldBy(item: { status?: unknown; attempt?: unknown } | undefined, attempt: number): boolean {
  return item?.status === RequestStatus.Processing && item.attempt === attempt;
}

/** From when a claim's lease clause holds: at once while pending, from the lease's end while processing. */
export function claimableFrom(item: LeaseFields): number {
  return item.status === RequestStatus.Processing ? item.lease_until : 0;
}

/** A lease's end when taken or renewed at `atMs`: `leaseMs` on, never past the invocation's end. */
export function leaseEnd(atMs: number, leaseMs: number, invocationEndsAt: number): number {
  return atMs + Math.min(leaseMs, Math.max(0, invocationEndsAt - atMs));
}

/**
 * The main thread trusts its lease until this long before the end the table holds: room for the
 * write it is about to make. Kept below the worker's own timeout margin (at least 500 ms), so
 * an invocation running out is reported as a timeout, not as a lapsed lease.
 */
export function leaseMarginMs(leaseMs: number): number {
  return Math.min(250, leaseMs / 10);
}

/** A lease is renewed this many times per lease period, so one late renewal still lands in time. */
const RENEWALS_PER_LEASE = 3;

/** Whether a renewal is due, `sinceWriteMs` after the last one; pending progress is written sooner, at its own interval. */
export function isRenewalDue(sinceWriteMs: number, leaseMs: number, progressPending: boolean, progressIntervalMs: number): boolean {
  return (progressPending && sinceWriteMs >= progressIntervalMs) || sinceWriteMs >= leaseMs / RENEWALS_PER_LEASE;
}

/** Whether a lease keeper with nothing to write checks that the request is still its own (a cancel shows there first). */
export function isOwnershipCheckDue(sinceCheckMs: number, progressIntervalMs: number): boolean {
  return sinceCheckMs >= progressIntervalMs * 2;
}

/** How often a lease keeper looks whether a renewal, progress or an ownership check is due. */
export function renewalTickMs(leaseMs: number, progressIntervalMs: number): number {
  return Math.max(10, Math.min(progressIntervalMs, leaseMs / RENEWALS_PER_LEASE));
}

/** How often a delivery waiting on another attempt's lease reads it (one consistent read each time). */
export function leaseWatchIntervalMs(leaseMs: number): number {
  return Math.min(2000, Math.max(250, leaseMs / 6));
}

/**
 * A claim's condition: stored and not expired, its deadline ahead and an attempt left, and pending or
 * with a lapsed lease ({@link isLeaseLapsed}); the claim adds one to `attempt`, the fencing token.
 */
export const CLAIMABLE_CONDITION =
  'attribute_exists(request_id) AND expires_at > :nowSec AND deadline_at > :now AND attempt < max_attempts AND ' +
  '(#status = :pending OR (#status = :processing AND lease_until <= :now))';

/** Every write that follows a claim is conditional on the request still being this attempt's. */
export const FENCE_CONDITION = '#status = :processing AND attempt = :attempt';

/** The values {@link FENCE_CONDITION} names. */
export function fenceValues(attempt: number): { ':processing': string; ':attempt': number } {
  return { ':processing': RequestStatus.Processing, ':attempt': attempt };
}

/** A DynamoDB conditional update, without its table and key. */
export interface ConditionalUpdate {
  ConditionExpression: string;
  UpdateExpression: string;
  ExpressionAttributeNames: Record<string, string>;
  ExpressionAttributeValues: Record<string, unknown>;
}

/** A lease renewal at `atMs` to `leaseUntil`, with the progress and step to write if any, fenced by the attempt. */
export function heartbeatUpdate(attempt: number, atMs: number, leaseUntil: number, progress?: Progress, step?: StepView): ConditionalUpdate {
  return {
    ConditionExpression: FENCE_CONDITION,
    UpdateExpression: `SET lease_until = :lease, updated_at = :nowIso${progress ? ', progress = :progress' : ''}${step ? ', #step = :step' : ''}`,
    ExpressionAttributeNames: { '#status': 'status', ...(step ? { '#step': 'step' } : {}) },
    ExpressionAttributeValues: {
      ...fenceValues(attempt),
      ':lease': leaseUntil,
      ':nowIso': new Date(atMs).toISOString(),
      ...(progress ? { ':progress': progress } : {}),
      ...(step ? { ':step': step } : {}),
    },
  };
}

/**
 * What just happened to a request, as far as the sweeper's next look is concerned; the durations
 * are the deployment's (SWEEP_GRACE_SECONDS, a webhook delivery run's longest time).
 */
export type SweepMoment =
  /** Stored: looked at after the grace period, in case its event is lost. */
  | { on: 'submit'; nowMs: number; graceMs: number }
  /** Claimed: looked at when the lease would run out; a live worker's renewals move the lease on. */
  | { on: 'claim'; leaseUntil: number }
  /** Handed back to a fresh invocation: after the grace period if its event was sent, else at once for the sweeper to send it. */
  | { on: 'hand_back'; nowMs: number; graceMs: number; deadlineAt: number; dispatched: boolean }
  /** Sent again by the sweeper: looked at after another grace period. */
  | { on: 'redispatch'; nowMs: number; graceMs: number; deadlineAt: number }
  /** Seen with a live worker: looked at when its lease would run out. */
  | { on: 'worker_alive'; leaseUntil: number; deadlineAt: number }
  /** Seen with a lapsed lease and attempts left: Lambda's own retry gets a grace period past the lease. */
  | { on: 'retry_awaited'; leaseUntil: number; graceMs: number; deadlineAt: number }
  /** Ended by its worker: a webhook owed is the worker's to deliver first, so due once that run would be over. */
  | { on: 'finish'; nowMs: number; owesCallback: boolean; deliveryWindowMs: number }
  /** Ended by a reader or the sweeper (lost) or a cancel: a webhook owed is due at once; a cancel's entry is cleared by the sweeper. */
  | { on: 'lost'; nowMs: number; owesCallback: boolean }
  | { on: 'cancel'; nowMs: number }
  /** A webhook delivery run starts: its entry is held for the run's longest time, so no one else delivers meanwhile. */
  | { on: 'delivery_run'; nowMs: number; deliveryWindowMs: number }
  /** A webhook try failed with tries left: the next is due after `retryDelayMs`. */
  | { on: 'delivery_retry'; nowMs: number; retryDelayMs: number };

/**
 * When the sweeper next looks at the request, or `undefined`: it has nothing more to check. A live
 * request is always looked at by its deadline, so one that passes it is ended at the next sweep.
 */
export function nextSweepAt(moment: Exclude<SweepMoment, { on: 'finish' | 'lost' }>): number;
export function nextSweepAt(moment: SweepMoment): number | undefined;
export function nextSweepAt(moment: SweepMoment): number | undefined {
  switch (moment.on) {
    case 'submit':
      return moment.nowMs + moment.graceMs;
    case 'claim':
      return moment.leaseUntil;
    case 'hand_back':
      return moment.dispatched ? Math.min(moment.nowMs + moment.graceMs, moment.deadlineAt) : moment.nowMs;
    case 'redispatch':
      return Math.min(moment.nowMs + moment.graceMs, moment.deadlineAt);
    case 'worker_alive':
      return Math.min(moment.leaseUntil, moment.deadlineAt);
    case 'retry_awaited':
      return Math.min(moment.leaseUntil + moment.graceMs, moment.deadlineAt);
    case 'finish':
      return moment.owesCallback ? moment.nowMs + moment.deliveryWindowMs : undefined;
    case 'lost':
      return moment.owesCallback ? moment.nowMs : undefined;
    case 'cancel':
      return moment.nowMs;
    case 'delivery_run':
      return moment.nowMs + moment.deliveryWindowMs;
    case 'delivery_retry':
      return moment.nowMs + moment.retryDelayMs;
  }
}

/** When Lambda's own retry of a lapsed worker is no longer expected, and the sweeper dispatches instead. */
export function retryDueAt(item: Pick<LeaseFields, 'lease_until'>, graceMs: number): number {
  return item.lease_until + graceMs;
}
