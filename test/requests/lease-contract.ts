import { randomUUID } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureTable } from '../../src/local/dynamo-server.js';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../../src/local/stack.js';
import { silentLogger } from '../../src/log.js';
import { createLeaseKeeper, type LeaseKeeper, type LeaseTerms } from '../../src/requests/lease.js';
import { ErrorCode } from '../../src/contract.js';
import { RequestStore } from '../../src/requests/store.js';
import { newItem } from './store-contract.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The lease keeper's contract on a DynamoDB implementation: its thread renews a held lease and
 * writes progress, every renewal fenced by the attempt number, and it reports a lease it lost.
 */
export function describeLeaseContract(label: string, endpoint: () => string): void {
  describe(`lease keeper on ${label}`, () => {
    const table = `leases-${randomUUID()}`;
    let client: DynamoDBClient;
    let store: RequestStore;
    let leases: LeaseKeeper;

    beforeAll(async () => {
      client = new DynamoDBClient({ endpoint: endpoint(), region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS });
      await ensureTable(client, table);
      store = new RequestStore(DynamoDBDocumentClient.from(client), table);
      leases = createLeaseKeeper({
        tableName: table,
        clientConfig: { endpoint: endpoint(), region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS },
        log: silentLogger,
      });
    });
    afterAll(() => client?.destroy());

    async function claimed(leaseMs: number): Promise<LeaseTerms> {
      const now = Date.now();
      const item = newItem(now);
      await store.create(item);
      const claim = await store.claim(item.request_id, now, now + leaseMs);
      return { requestId: item.request_id, attempt: claim!.attempt, leaseMs, leaseUntil: claim!.lease_until, progressIntervalMs: 50, invocationEndsAt: now + 60_000 };
    }

    it('renews the lease and writes the latest progress while held, and nothing once released', async () => {
      const terms = await claimed(600);
      const lease = leases.hold(terms);
      lease.report({ percent: 40, message: 'working' });
      await sleep(700); // longer than the lease: only renewals keep it

      const held = await store.get(terms.requestId);
      const lapsedWhileHeld = lease.lapsed();
      const { heartbeats } = await lease.release();
      const renewedTo = held!.lease_until;
      await sleep(400);

      expect(held).toMatchObject({ status: 'processing', progress: { percent: 40, message: 'working' } });
      expect(renewedTo).toBeGreaterThan(terms.leaseUntil);
      expect(heartbeats).toBeGreaterThanOrEqual(2);
      expect(lapsedWhileHeld).toBe(false);
      expect((await store.get(terms.requestId))!.lease_until).toBe(renewedTo);
    });

    it('reports the lease lost, and writes nothing more, once a newer attempt took the request', async () => {
      const terms = await claimed(600);
      const lease = leases.hold(terms);
      // A takeover by a worker whose clock is well ahead: to it, the lease has run out.
      const takeover = await store.claim(terms.requestId, terms.leaseUntil + 10_000, terms.leaseUntil + 60_000);

      const reason = await Promise.race([lease.lost, sleep(2000).then(() => 'still held')]);
      await lease.release();

      expect(takeover?.attempt).toBe(2);
      expect(reason).toBe('superseded');
      expect(await store.get(terms.requestId)).toMatchObject({ attempt: 2, lease_until: terms.leaseUntil + 60_000 });
    });

    it('reports a cancel as a lost lease within two progress intervals', async () => {
      const terms = await claimed(60_000);
      const lease = leases.hold(terms);
      await store.cancel(terms.requestId, Date.now(), 'cancelled', ErrorCode.Cancelled);
      const started = Date.now();

      const reason = await lease.lost;
      await lease.release();

      expect(reason).toBe('superseded');
      expect(Date.now() - started).toBeLessThan(1000);
      expect(await store.get(terms.requestId)).toMatchObject({ status: 'error', error_code: 'cancelled' });
    });
  });
}
