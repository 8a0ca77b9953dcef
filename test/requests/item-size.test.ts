import { describe, expect, it } from 'vitest';
import { itemSize, valueSize } from '../../src/requests/item-size.js';

describe('item size, as DynamoDB counts it', () => {
  it('counts strings and names in UTF-8 bytes, not characters', () => {
    expect(valueSize('abc')).toBe(3);
    expect(valueSize('é€😀')).toBe(2 + 3 + 4);
    expect(itemSize({ 'näme': 'x' })).toBe(5 + 1);
  });

  it('counts numbers by significant digits, trailing and leading zeroes trimmed', () => {
    expect(valueSize(0)).toBe(2);
    expect(valueSize(1_700_000_000_000)).toBe(2); // "17": one byte, plus one
    expect(valueSize(1_795_430_414_376)).toBe(8); // 13 digits: seven bytes, plus one
    expect(valueSize(-0.125)).toBe(3);
  });

  it('adds 3 bytes per list or map and 1 per element; null and booleans are 1', () => {
    expect(valueSize([])).toBe(3);
    expect(valueSize(['a', 'bc'])).toBe(3 + 1 + 1 + 1 + 2);
    expect(valueSize({ a: 'b' })).toBe(3 + 1 + 1 + 1);
    expect(valueSize({ n: null, t: true })).toBe(3 + (1 + 1 + 1) * 2);
    expect(valueSize(Buffer.from([1, 2, 3]))).toBe(3);
  });

  it('skips undefined, which the document client removes', () => {
    expect(itemSize({ a: undefined, b: 'x' })).toBe(2);
  });
});
