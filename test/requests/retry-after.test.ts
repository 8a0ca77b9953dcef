import { describe, expect, it } from 'vitest';
import { RequestStatus } from '../../src/contract.js';
import { MAX_RETRY_AFTER_SECONDS, MIN_RETRY_AFTER_SECONDS, retryAfterSeconds } from '../../src/requests/retry-after.js';
import { newItem } from './store-contract.js';

const created = Date.parse('2026-11-22T12:00:00Z');
const running = (percent: number) => newItem(created, { status: RequestStatus.Processing, progress: { percent, message: '' } });

describe('retryAfterSeconds', () => {
  it('asks a pending request to be checked again soon', () => {
    expect(retryAfterSeconds(newItem(created), created + 5000)).toBe(MIN_RETRY_AFTER_SECONDS);
  });

  it('follows the progress rate: a third of the estimated time left', () => {
    // 25 % after 12 s: about 36 s left, so look again in 12 s, bounded to 10.
    expect(retryAfterSeconds(running(25), created + 12_000)).toBe(MAX_RETRY_AFTER_SECONDS);
    // 50 % after 6 s: about 6 s left, look again in 2 s.
    expect(retryAfterSeconds(running(50), created + 6000)).toBe(2);
    // 90 % after 1 s: almost done, the floor applies.
    expect(retryAfterSeconds(running(90), created + 1000)).toBe(MIN_RETRY_AFTER_SECONDS);
  });

  it('falls back to a short constant when there is no progress to go by', () => {
    expect(retryAfterSeconds(running(0), created + 60_000)).toBe(2);
  });
});
