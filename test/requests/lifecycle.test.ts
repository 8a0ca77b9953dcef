import { describe, expect, it } from 'vitest';
import { effectiveState, withEffectiveState } from '../../src/requests/lifecycle.js';
import { RequestStatus } from '../../src/requests/model.js';
import { newItem } from './store-contract.js';

const now = Date.parse('2026-11-22T12:00:00Z');

describe('effectiveState', () => {
  it('reads an item past its TTL as gone even though DynamoDB still holds it', () => {
    expect(effectiveState(newItem(now, { expires_at: now / 1000 }), now)).toEqual({ kind: 'gone' });
    expect(effectiveState(newItem(now, { expires_at: now / 1000 + 1 }), now)).toEqual({ kind: 'as_stored' });
  });

  it('reads a live request past its deadline as lost, but never rewrites a terminal one', () => {
    expect(effectiveState(newItem(now, { deadline_at: now }), now)).toMatchObject({ kind: 'lost', errorCode: 'deadline_exceeded' });
    expect(effectiveState(newItem(now, { deadline_at: now, status: RequestStatus.Complete }), now)).toEqual({ kind: 'as_stored' });
  });

  it('reads a lapsed lease as lost only when no attempt is left', () => {
    const lapsed = { status: RequestStatus.Processing, lease_until: now - 1 } as const;
    expect(effectiveState(newItem(now, { ...lapsed, attempt: 3, max_attempts: 3 }), now)).toMatchObject({ kind: 'lost', errorCode: 'worker_lost' });
    expect(effectiveState(newItem(now, { ...lapsed, attempt: 2, max_attempts: 3 }), now)).toEqual({ kind: 'as_stored' });
    expect(effectiveState(newItem(now, { status: RequestStatus.Processing, lease_until: now + 1, attempt: 3 }), now)).toEqual({ kind: 'as_stored' });
  });

  it('shows a lost request as a terminal error with a sentence and code', () => {
    const item = newItem(now, { deadline_at: now });
    const shown = withEffectiveState(item, effectiveState(item, now), 'later');
    expect(shown).toMatchObject({ status: 'error', error_code: 'deadline_exceeded', updated_at: 'later' });
    expect(shown.error).toMatch(/deadline/);
  });
});
