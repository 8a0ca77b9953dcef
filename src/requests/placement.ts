import { unstorableReason } from './storable.js';

/** Where a JSON value a request writes (its result, a step's checkpoint) is kept, or why it cannot be. */
export type Placement =
  | { where: 'inline'; value: unknown }
  | { where: 'bucket' }
  /** No bucket, and DynamoDB would refuse the value whatever its size: `unstorable` says why, for people. */
  | { where: 'refused'; unstorable: string }
  /** No bucket, and the value is over the inline limit or the item cannot hold it. */
  | { where: 'refused'; unstorable: undefined };

export interface PlacementQuestion {
  /** The value's JSON, and the value as JSON keeps it (read only when needed: a large result is not parsed for nothing). */
  json: string;
  parse(): unknown;
  /** Largest JSON kept in the item (INLINE_RESULT_MAX_BYTES, CHECKPOINT_INLINE_MAX_BYTES). */
  inlineMaxBytes: number;
  /** Lists and maps above the value in the item: they count against DynamoDB's nesting limit. */
  depth: number;
  /** The item's size, as DynamoDB counts it, with `value` in it, and the most it may be. */
  itemBytesWith(value: unknown): number;
  itemMaxBytes: number;
  hasBucket: boolean;
}

/**
 * The one rule for a request's results and checkpoints: in the item when the JSON is within the
 * inline limit, DynamoDB would take the value and the whole item still fits; else in the bucket;
 * without a bucket, refused, with the reason when the value itself is what DynamoDB refuses.
 */
export function placeJson(question: PlacementQuestion): Placement {
  let parsed: { value: unknown } | undefined;
  const value = () => (parsed ??= { value: question.parse() }).value;
  if (Buffer.byteLength(question.json) <= question.inlineMaxBytes) {
    const unstorable = unstorableReason(value(), question.depth);
    if (unstorable === undefined && question.itemBytesWith(value()) <= question.itemMaxBytes) return { where: 'inline', value: value() };
  }
  if (question.hasBucket) return { where: 'bucket' };
  return { where: 'refused', unstorable: unstorableReason(value(), question.depth) };
}
