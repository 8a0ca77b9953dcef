import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RequestStatus } from '../../src/contract.js';
import { silentLogger } from '../../src/log.js';
import { silentMetrics } from '../../src/metrics.js';
import { effectiveState, settle } from '../../src/requests/lifecycle.js';
import type { RequestStore } from '../../src/requests/store.js';
import { startTestTable, type TestTable } from '../support/table.js';
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

});

describe('settle', () => {
  let table: TestTable;
  let store: RequestStore;
  beforeAll(async () => {
    table = await startTestTable('settle-test');
    store = table.store;
  });
  afterAll(() => table?.stop());

  it('shows a lost request as a terminal error with a sentence and code, and writes that end once', async () => {
    const item = newItem(now, { deadline_at: now });
    await store.create(item);

    const shown = await settle({ store, objects: undefined, log: silentLogger, metrics: silentMetrics }, item, now);
    const again = await settle({ store, objects: undefined, log: silentLogger, metrics: silentMetrics }, item, now + 1000);

    expect(shown).toMatchObject({ status: 'error', error_code: 'deadline_exceeded', updated_at: new Date(now).toISOString() });
    expect(shown?.error).toMatch(/deadline/);
    expect(await store.get(item.request_id)).toMatchObject({ status: 'error', error_code: 'deadline_exceeded', updated_at: new Date(now).toISOString() });
    expect(again?.status).toBe('error'); // the second write's condition fails: the first end stands
  });

  it('shows what the worker wrote when its outcome beat the lost-request write: a terminal state never changes', async () => {
    const item = newItem(now, { deadline_at: now + 1000 });
    await store.create(item);
    const seen = await store.claim(item.request_id, now, now + 60_000);
    await store.finish(item.request_id, 1, now + 900, { status: RequestStatus.Complete, result: 'in time' });

    // A reader that read the item just before the outcome landed, and settles it after the deadline.
    const shown = await settle({ store, objects: undefined, log: silentLogger, metrics: silentMetrics }, seen!, now + 1500);

    expect(shown).toMatchObject({ status: 'complete', result: 'in time' });
  });

  it('answers nothing for an expired item and leaves a live one as it is', async () => {
    expect(await settle({ store, objects: undefined, log: silentLogger, metrics: silentMetrics }, newItem(now, { expires_at: now / 1000 }), now)).toBeUndefined();
    const live = newItem(now);
    expect(await settle({ store, objects: undefined, log: silentLogger, metrics: silentMetrics }, live, now)).toBe(live);
  });
});
