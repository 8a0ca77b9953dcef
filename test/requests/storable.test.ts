import { describe, expect, it } from 'vitest';
import { MAX_NESTED_CONTAINERS, unstorableReason } from '../../src/requests/storable.js';

const nest = (levels: number, list = false): unknown => (levels === 0 ? 1 : list ? [nest(levels - 1, list)] : { a: nest(levels - 1, list) });

describe('unstorableReason', () => {
  it('takes 31 nested lists or objects and refuses 32', () => {
    expect(unstorableReason(nest(MAX_NESTED_CONTAINERS))).toBeUndefined();
    expect(unstorableReason(nest(MAX_NESTED_CONTAINERS, true))).toBeUndefined();
    expect(unstorableReason(nest(MAX_NESTED_CONTAINERS + 1))).toMatch(/more than 31 levels/);
    expect(unstorableReason(nest(MAX_NESTED_CONTAINERS + 1, true))).toMatch(/more than 31 levels/);
  });

  it('refuses an empty object key anywhere, but not an empty string value', () => {
    expect(unstorableReason({ '': 1 })).toMatch(/empty string/);
    expect(unstorableReason({ a: [{ b: { '': 1 } }] })).toMatch(/empty string/);
    expect(unstorableReason({ a: '' })).toBeUndefined();
  });

  it('refuses numbers outside 1e-130 to 1e126 in magnitude, and takes big integers and zero', () => {
    for (const number of [1e126, -1e126, 1e-131, 5e-324, Number.MAX_VALUE]) expect(unstorableReason({ n: number }), String(number)).toMatch(/outside the range/);
    for (const number of [0, 1e16, 9007199254740993, 9.9e125, 1e-130, -1e-130]) expect(unstorableReason({ n: number }), String(number)).toBeUndefined();
  });
});
