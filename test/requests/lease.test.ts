import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../../src/local/stack.js';
import { createJsonLogger } from '../../src/log.js';
import { createLeaseKeeper } from '../../src/requests/lease.js';
import { startBlackHole } from '../support/black-hole.js';
import { startTestTable, type TestTable } from '../support/table.js';
import { createLogCollector } from '../support/logs.js';
import { startTcpProxy } from '../support/tcp-proxy.js';
import { waitFor } from '../support/wait-for.js';
import { describeLeaseContract } from './lease-contract.js';
import { newItem } from './store-contract.js';

let table: TestTable;
beforeAll(async () => {
  table = await startTestTable('lapse-test');
});
afterAll(() => table?.stop());

/** Waits (on the clock, polling) until the wall-clock time `at` has passed. */
const untilPast = (at: number) => waitFor(() => (Date.now() > at ? true : undefined), { intervalMs: 10 });

describeLeaseContract('dynalite', () => table.endpoint);

describe('lease keeper when the table is out of reach', () => {
  /** Holds a freshly claimed 600 ms lease whose thread reaches the table at `endpoint`. */
  async function holdVia(endpoint: string) {
    const logs = createLogCollector();
    const leases = createLeaseKeeper({
      tableName: 'lapse-test',
      clientConfig: { endpoint, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS, maxAttempts: 1, requestHandler: { connectionTimeout: 100, requestTimeout: 5000, throwOnRequestTimeout: true } },
      log: createJsonLogger(logs.log),
    });
    const now = Date.now();
    const item = newItem(now);
    await table.store.create(item);
    const claimed = await table.store.claim(item.request_id, now, now + 600);
    const lease = leases.hold({ requestId: item.request_id, attempt: 1, leaseMs: 600, leaseUntil: claimed!.lease_until, progressIntervalMs: 50, invocationEndsAt: now + 60_000 });
    return { lease, requestId: item.request_id, leaseUntil: claimed!.lease_until, logs };
  }

  // What keeps a worker safe is that it stops trusting its lease before the lease ends, whenever
  // the thread's news arrives: `lapsed()` reads the end from shared memory. So these tests look at
  // what `lapsed()` answers once the lease's end has passed, and at the order of events, never at
  // how many milliseconds the news took (a loaded machine delays any thread).

  it('reports the lease lapsed, and trusts it no longer at its end, when connections are refused', async () => {
    const proxy = await startTcpProxy(table.endpoint);
    try {
      const { lease, requestId, leaseUntil } = await holdVia(proxy.url);
      proxy.cut();

      const reason = await lease.lost;
      await untilPast(leaseUntil);
      const trustedAtItsEnd = !lease.lapsed();
      await lease.release();

      expect(reason).toBe('lapsed');
      expect(trustedAtItsEnd).toBe(false);
      expect((await table.store.get(requestId))!.lease_until).toBe(leaseUntil);
    } finally {
      await proxy.stop();
    }
  });

  it('reports the lease lapsed while its renewal still hangs, when the table takes requests and never answers', async () => {
    const hole = await startBlackHole();
    try {
      const { lease, leaseUntil, logs } = await holdVia(hole.url);

      const reason = await lease.lost;
      // The renewal's own request timeout (5 s) has not fired: the lapse timer, not a failed call, told.
      const failedRenewals = logs.messages('heartbeat failed; will retry');
      await untilPast(leaseUntil);

      expect(reason).toBe('lapsed');
      expect(failedRenewals).toEqual([]);
      expect(lease.lapsed()).toBe(true);
    } finally {
      await hole.stop();
    }
  });
});
