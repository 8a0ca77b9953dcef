import { describe, expect, it } from 'vitest';
import { isDeliverEvent, isProcessEvent, isSweepEvent } from '../src/events.js';

describe("the function's own events", () => {
  it("a process event, with a continuation's hop count or without one", () => {
    expect(isProcessEvent({ action: 'process', request_id: 'r' })).toBe(true);
    expect(isProcessEvent({ action: 'process', request_id: 'r', hops: 0 })).toBe(true);
    expect(isProcessEvent({ action: 'process', request_id: 'r', hops: 12 })).toBe(true);
  });

  it('is not a process event with a hop count that could not have been sent', () => {
    for (const hops of [-1, 1.5, '2', null, Number.NaN]) expect(isProcessEvent({ action: 'process', request_id: 'r', hops })).toBe(false);
    expect(isProcessEvent({ action: 'process' })).toBe(false);
  });

  it('deliver and sweep events', () => {
    expect(isDeliverEvent({ action: 'deliver', request_id: 'r', claim: 5 })).toBe(true);
    expect(isDeliverEvent({ action: 'deliver', request_id: 'r', claim: '5' })).toBe(false);
    expect(isSweepEvent({ action: 'sweep' })).toBe(true);
    expect(isSweepEvent({ action: 'process', request_id: 'r' })).toBe(false);
  });
});
