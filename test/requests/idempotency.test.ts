import { describe, expect, it } from 'vitest';
import { bodyHash, requestIdForKey } from '../../src/requests/idempotency.js';

const SECRET = 'a-test-secret-of-more-than-32-characters';

describe('idempotency', () => {
  it('derives the same UUID-shaped id for the same secret, key and scope, and different ones otherwise', () => {
    const id = requestIdForKey(SECRET, '', 'order-42');
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(requestIdForKey(SECRET, '', 'order-42')).toBe(id);
    expect(requestIdForKey(SECRET, '', 'order-43')).not.toBe(id);
    expect(requestIdForKey(SECRET, 'api-key-2', 'order-42')).not.toBe(id);
    expect(requestIdForKey(`${SECRET}!`, '', 'order-42')).not.toBe(id);
  });

  it('keeps scope and key apart: no pair can be shifted into another', () => {
    expect(requestIdForKey(SECRET, 'a', 'b\u0000c')).not.toBe(requestIdForKey(SECRET, 'a\u0000b', 'c'));
  });

  it('hashes the task, prompt and session, so any change is a different body', () => {
    const hash = bodyHash('assess', { prompt: 'a' });
    expect(bodyHash('assess', { prompt: 'a' })).toBe(hash);
    expect(bodyHash('summarize', { prompt: 'a' })).not.toBe(hash);
    expect(bodyHash('assess', { prompt: 'a', session_id: 's' })).not.toBe(hash);
  });
});
