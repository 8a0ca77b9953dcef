import { ErrorCode, RequestStatus, isTerminal, type StoredRequest } from './model.js';

/** What an item really is at `nowMs`, whatever the table still says. */
export type EffectiveState =
  | { kind: 'gone' }
  | { kind: 'as_stored' }
  | { kind: 'lost'; errorCode: ErrorCode; error: string };

const LOST_SENTENCE = {
  [ErrorCode.WorkerLost]: 'The worker stopped before finishing and no retry is left. Submit the request again.',
  [ErrorCode.DeadlineExceeded]: 'The request did not finish before its deadline. Submit the request again.',
} as const;

/**
 * TTL deletes items up to days late, so expiry is decided here, on every read. A request no worker
 * can still finish (its lease ran out with no attempt left, or its deadline passed) is lost, even
 * if an async event for it is still on its way: the claim condition refuses it too.
 */
export function effectiveState(item: StoredRequest, nowMs: number): EffectiveState {
  if (item.expires_at * 1000 <= nowMs) return { kind: 'gone' };
  if (isTerminal(item.status)) return { kind: 'as_stored' };
  if (nowMs >= item.deadline_at) {
    return { kind: 'lost', errorCode: ErrorCode.DeadlineExceeded, error: LOST_SENTENCE[ErrorCode.DeadlineExceeded] };
  }
  const leaseOver = item.status === RequestStatus.Processing && item.lease_until <= nowMs;
  if (leaseOver && item.attempt >= item.max_attempts) {
    return { kind: 'lost', errorCode: ErrorCode.WorkerLost, error: LOST_SENTENCE[ErrorCode.WorkerLost] };
  }
  return { kind: 'as_stored' };
}

/** The item as a reader should see it: lost requests read as terminal errors. */
export function withEffectiveState(item: StoredRequest, state: EffectiveState, nowIso: string): StoredRequest {
  if (state.kind !== 'lost') return item;
  return {
    ...item,
    status: RequestStatus.Error,
    error: state.error,
    error_code: state.errorCode,
    updated_at: nowIso,
    lease_until: 0,
  };
}
