import { RequestStatus } from '../contract.js';
import { describeError, type Logger } from '../log.js';
import type { ObjectStore } from '../storage/object-store.js';
import type { StoredRequest } from './model.js';

/** The objects an item records: its files, its bucket checkpoints and its result. */
export function recordedKeys(item: Pick<StoredRequest, 'artifacts' | 'steps' | 'result_object'>): string[] {
  const checkpoints = Object.values(item.steps ?? {}).flatMap((checkpoint) => (checkpoint.object !== undefined ? [checkpoint.object.key] : []));
  return [...(item.artifacts ?? []).map((file) => file.key), ...checkpoints, ...(item.result_object !== undefined ? [item.result_object.key] : [])];
}

/**
 * Removes the objects a request that ended in error records (files, bucket checkpoints, a spilled
 * result): nothing will read them again. For every path that ends a request while no worker holds
 * it (a cancel, the sweeper, a reader), after the ending write succeeded. Best effort: a failure
 * costs storage until the bucket's lifecycle rule, and is logged.
 */
export async function removeRecordedObjects({ objects, log }: { objects: ObjectStore | undefined; log: Logger }, ended: StoredRequest): Promise<void> {
  if (objects === undefined || ended.status !== RequestStatus.Error) return;
  const keys = recordedKeys(ended);
  if (keys.length === 0) return;
  try {
    await objects.remove(keys);
  } catch (error) {
    log.warn('could not remove the objects of a request that ended in error; the lifecycle rule will', { request_id: ended.request_id, ...describeError(error) });
  }
}
