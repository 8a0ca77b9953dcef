import { RequestStatus } from '../contract.js';
import { describeError, type Logger } from '../log.js';
import type { ObjectStore } from '../storage/object-store.js';
import type { ResultObject, StoredRequest } from './model.js';

export type RecordedOutput = Pick<StoredRequest, 'artifacts' | 'replaced_objects' | 'steps' | 'output'>;

/** The objects an item records, but for its result: its files, those replaced, its bucket checkpoints and output chunks. */
export function recordedObjects(item: RecordedOutput): ResultObject[] {
  const checkpoints = Object.values(item.steps ?? {}).flatMap((checkpoint) => (checkpoint.object !== undefined ? [checkpoint.object] : []));
  const chunks = (item.output ?? []).flatMap((chunk) => (chunk.object !== undefined ? [chunk.object] : []));
  return [...(item.artifacts ?? []), ...(item.replaced_objects ?? []), ...checkpoints, ...chunks];
}

/** The bytes of emitted output the item itself holds: they count against MAX_OUTPUT_BYTES like an object's. */
export function inlineOutputBytes(item: Pick<StoredRequest, 'output'>): number {
  return (item.output ?? []).reduce((total, chunk) => total + (chunk.text !== undefined ? Buffer.byteLength(chunk.text) : 0), 0);
}

/** The objects an item records, result included. */
export function recordedKeys(item: RecordedOutput & Pick<StoredRequest, 'result_object'>): string[] {
  return [...recordedObjects(item), ...(item.result_object !== undefined ? [item.result_object] : [])].map((object) => object.key);
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
