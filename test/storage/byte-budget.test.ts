import { describe, expect, it } from 'vitest';
import { createByteBudget } from '../../src/storage/byte-budget.js';
import { OutputTooLargeError } from '../../src/storage/object-store.js';

describe('a request\'s byte budget', () => {
  it('counts what earlier invocations used, and refuses a reservation past the limit without taking any of it', () => {
    const budget = createByteBudget(1000, 600);
    budget.reserve(300);
    expect(() => budget.reserve(101)).toThrow(OutputTooLargeError);
    budget.reserve(100);
    expect(() => budget.reserve(1)).toThrow(OutputTooLargeError);
  });

  it('takes back what a failed write gives back', () => {
    const budget = createByteBudget(1000);
    budget.reserve(1000);
    budget.release(400);
    budget.reserve(400);
    expect(() => budget.reserve(1)).toThrow(OutputTooLargeError);
  });
});
