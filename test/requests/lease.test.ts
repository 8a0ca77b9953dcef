import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../../src/local/stack.js';
import { silentLogger } from '../../src/log.js';
import { createLeaseKeeper } from '../../src/requests/lease.js';
import { startBlackHole } from '../support/black-hole.js';
import { startTestTable, type TestTable } from '../support/table.js';
import { startTcpProxy } from '../support/tcp-proxy.js';
import { describeLeaseContract } from './lease-contract.js';
import { newItem } from './store-contract.js';

let table: TestTable;
beforeAll(async () => {
  table = await startTestTable('lapse-test');
});
afterAll(() => table?.stop());

describeLeaseContract('dynalite', () => table.endpoint);

describe('lease keeper when the table is out of reach', () => {
  /** Holds a freshly claimed 600 ms lease whose thread reaches the table at `endpoint`. */
  async function holdVia(endpoint: string) {
    const leases = createLeaseKeeper({
      tableName: 'lapse-test',
      clientConfig: { endpoint, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS, maxAttempts: 1, requestHandler: { connectionTimeout: 100, requestTimeout: 5000, throwOnRequestTimeout: true } },
      log: silentLogger,
    });
    const now = Date.now();
    const item = newItem(now);
    await table.store.create(item);
    const claimed = await table.store.claim(item.request_id, now, now + 600);
    const lease = leases.hold({ requestId: item.request_id, attempt: 1, leaseMs: 600, leaseUntil: claimed!.lease_until, progressIntervalMs: 50, invocationEndsAt: now + 60_000 });
    return { lease, leaseUntil: claimed!.lease_until };
  }

  it('reports the lease lapsed before its end, when connections are refused', async () => {
    const proxy = await startTcpProxy(table.endpoint);
    try {
      const { lease, leaseUntil } = await holdVia(proxy.url);
      proxy.cut();

      const reason = await lease.lost;
      const lapsedAt = Date.now();
      await lease.release();

      expect(reason).toBe('lapsed');
      expect(lease.lapsed()).toBe(true);
      expect(lapsedAt).toBeLessThanOrEqual(leaseUntil);
    } finally {
      await proxy.stop();
    }
  });

  it('reports the lease lapsed before its end, when the table takes requests and never answers', async () => {
    const hole = await startBlackHole();
    try {
      const { lease, leaseUntil } = await holdVia(hole.url);

      const reason = await Promise.race([lease.lost, new Promise((resolve) => setTimeout(() => resolve('never reported'), 3000))]);
      const lapsedAt = Date.now();

      expect(reason).toBe('lapsed');
      expect(lapsedAt).toBeLessThanOrEqual(leaseUntil);
    } finally {
      await hole.stop();
    }
  });
});
