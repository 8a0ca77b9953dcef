import { ERROR_SENTENCES, ErrorCode, isTerminal } from '../contract.js';
import { describeError, type Logger } from '../log.js';
import type { StoredRequest } from './model.js';
import type { RequestStore } from './store.js';
import type { ObjectStore } from '../storage/object-store.js';
import { removeRecordedObjects } from './recorded-objects.js';
import { Metric, type Metrics } from '../metrics.js';
import { isExpired, isWorkerLost } from './transitions.js';

/** What an item really is at `nowMs`, whatever the table still says. */
export type EffectiveState =
  | { kind: 'gone' }
  | { kind: 'as_stored' }
  | { kind: 'lost'; errorCode: typeof ErrorCode.WorkerLost | typeof ErrorCode.DeadlineExceeded };

export { isExpired } from './transitions.js';

/**
 * A request no worker can still finish (its lease ran out with no attempt left, or its deadline
 * passed) is lost, even if an async event for it is still on its way: the claim condition refuses
 * it too.
 */
export function effectiveState(item: StoredRequest, nowMs: number): EffectiveState {
  if (isExpired(item, nowMs)) return { kind: 'gone' };
  if (isTerminal(item.status)) return { kind: 'as_stored' };
  if (nowMs >= item.deadline_at) return { kind: 'lost', errorCode: ErrorCode.DeadlineExceeded };
  if (isWorkerLost(item, nowMs)) return { kind: 'lost', errorCode: ErrorCode.WorkerLost };
  return { kind: 'as_stored' };
}

/**
 * The item as a reader should see it at `nowMs` (undefined once expired), with a lost request's end
 * written back once: conditionally on the item being as read. When that write loses (a worker
 * claimed or finished the request meanwhile) or fails, the reader gets the item as it is, never
 * an end of its own making: a terminal state a reader has seen never changes. An end written here
 * removes the objects the request recorded.
 */
export async function settle(
  { store, objects, log, metrics }: { store: RequestStore; objects: ObjectStore | undefined; log: Logger; metrics: Metrics },
  item: StoredRequest,
  nowMs: number,
): Promise<StoredRequest | undefined> {
  const state = effectiveState(item, nowMs);
  if (state.kind === 'gone') return undefined;
  if (state.kind === 'as_stored') return item;
  const error = ERROR_SENTENCES[state.errorCode];
  let ended: StoredRequest | undefined;
  try {
    ended = await store.markLost(item, nowMs, state.errorCode, error);
  } catch (caught) {
    // The next read or sweep tries again; until then the reader sees what the table holds.
    log.warn('could not record a lost request', { request_id: item.request_id, ...describeError(caught) });
    return item;
  }
  if (ended === undefined) {
    const current = await store.get(item.request_id);
    return current === undefined || isExpired(current, nowMs) ? undefined : current;
  }
  metrics.put(Metric.Failed, 1, state.errorCode);
  await removeRecordedObjects({ objects, log }, ended);
  return ended;
}
