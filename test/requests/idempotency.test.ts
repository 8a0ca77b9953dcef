import { describe, expect, it } from 'vitest';
import { bodyHash, requestIdForKey } from '../../src/requests/idempotency.js';

describe('idempotency', () => {
  it('derives the same UUID-shaped id for the same key and scope, and different ones otherwise', () => {
    const id = requestIdForKey('order-42', '');
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(requestIdForKey('order-42', '')).toBe(id);
    expect(requestIdForKey('order-43', '')).not.toBe(id);
    expect(requestIdForKey('order-42', 'api-key-2')).not.toBe(id);
  });

  it('hashes the task, prompt and session, so any change is a different body', () => {
    const hash = bodyHash('assess', { prompt: 'a' });
    expect(bodyHash('assess', { prompt: 'a' })).toBe(hash);
    expect(bodyHash('summarize', { prompt: 'a' })).not.toBe(hash);
    expect(bodyHash('assess', { prompt: 'a', session_id: 's' })).not.toBe(hash);
  });
});
