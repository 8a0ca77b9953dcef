/**
 * What DynamoDB refuses in an attribute's value, besides its size (see item-size.ts): checked
 * before a result is written, so such a result ends the request with a sentence that says why,
 * on the local stack (whose dynalite takes all of these) as in AWS. Limits measured against
 * Amazon's DynamoDB Local (test/requests/dynamodb-local.test.ts).
 */

/** Lists and maps inside a top-level attribute: 31 levels are taken, 32 refused. */
export const MAX_NESTED_CONTAINERS = 31;
/** Magnitudes DynamoDB's numbers hold: from 1e-130 to just under 1e126. */
const SMALLEST_NUMBER = 1e-130;
const LARGEST_NUMBER = 1e126;

/** Why DynamoDB would refuse `value` as an attribute's value, or undefined when it would not. */
export function unstorableReason(value: unknown, depth = 0): string | undefined {
  if (typeof value === 'number') {
    const magnitude = Math.abs(value);
    if (magnitude !== 0 && (magnitude < SMALLEST_NUMBER || magnitude >= LARGEST_NUMBER)) return `holds the number ${value}, outside the range DynamoDB stores (1e-130 to 1e126)`;
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  if (depth >= MAX_NESTED_CONTAINERS) return `nests lists and objects more than ${MAX_NESTED_CONTAINERS} levels deep`;
  for (const [key, element] of Object.entries(value)) {
    if (!Array.isArray(value) && key === '') return 'has an object key that is the empty string';
    const reason = unstorableReason(element, depth + 1);
    if (reason !== undefined) return reason;
  }
  return undefined;
}
