import { createHash } from 'node:crypto';

/**
 * The table's sparse index of requests the sweeper must look at: only items with `sweep_shard` and
 * `sweep_at` are in it (a live request, or an ended one whose webhook is still owed), sorted by
 * when to look. Spread over a few partition values, as one would take every write of the index
 * into a single partition, which DynamoDB caps at 1,000 writes a second.
 */
export const SWEEP_INDEX = 'sweep';
export const SWEEP_SHARDS = ['due-0', 'due-1', 'due-2', 'due-3'] as const;

/** The shard a request's index entry lives in; fixed for its life. */
export function sweepShard(requestId: string): string {
  return SWEEP_SHARDS[createHash('sha256').update(requestId).digest()[0]! % SWEEP_SHARDS.length]!;
}
