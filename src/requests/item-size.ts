/** DynamoDB refuses an item over 400 KB, counting the UTF-8 bytes of every attribute name and value. */
export const MAX_ITEM_BYTES = 400 * 1024;

/** Room kept in the item for the progress, the step and the outcome's own fields. */
export const ITEM_RESERVE_BYTES = 16 * 1024;

/**
 * The inline-or-bucket rule for what a request writes as it runs (checkpoints, emitted output): a
 * value of `bytes` stays in the item when it is at most `inlineMaxBytes` and the item with it
 * (`itemBytesWith`, computed only then) keeps ITEM_RESERVE_BYTES free; else it goes to the bucket.
 */
export function keepsInItem(bytes: number, inlineMaxBytes: number, itemBytesWith: () => number): boolean {
  return bytes <= inlineMaxBytes && itemBytesWith() + ITEM_RESERVE_BYTES <= MAX_ITEM_BYTES;
}

/** Lists and maps cost 3 bytes, and each of their elements 1 more. */
const CONTAINER_BYTES = 3;
const ELEMENT_BYTES = 1;

/**
 * The size DynamoDB counts for a value (as the document client marshals it), after the rules in
 * "DynamoDB item sizes and formats": strings and names by their UTF-8 bytes, numbers by their
 * significant digits, binaries by their raw bytes. Rounded up where the rules are approximate,
 * so a value that passes here also passes there.
 */
export function valueSize(value: unknown): number {
  if (value === null || typeof value === 'boolean') return 1;
  if (typeof value === 'string') return Buffer.byteLength(value, 'utf8');
  if (typeof value === 'number') return numberSize(value);
  if (value instanceof Uint8Array) return value.byteLength;
  if (Array.isArray(value)) return value.reduce<number>((total, element) => total + ELEMENT_BYTES + valueSize(element), CONTAINER_BYTES);
  if (value instanceof Set) return [...value].reduce<number>((total, element) => total + valueSize(element), 0);
  if (typeof value === 'object') return CONTAINER_BYTES + attributesSize(value as Record<string, unknown>, ELEMENT_BYTES);
  return 0; // undefined and functions are not written
}

/** The size of a whole item: its attributes' names and values. */
export function itemSize(item: Record<string, unknown>): number {
  return attributesSize(item, 0);
}

function attributesSize(attributes: Record<string, unknown>, perElement: number): number {
  let total = 0;
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined) continue;
    total += perElement + Buffer.byteLength(name, 'utf8') + valueSize(value);
  }
  return total;
}

/** One byte per two significant digits (leading and trailing zeroes trimmed), plus one. */
function numberSize(value: number): number {
  const digits = Math.abs(value).toExponential().split('e')[0]!.replace('.', '').replace(/0+$/, '');
  return Math.ceil(Math.max(1, digits.length) / 2) + 1;
}
