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
import { waitFor } from '../support/wait-for.js';
import { newItem } from './store-contract.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
/**
 * Long enough that a renewal delayed by a loaded machine still lands before the lease ends: these
 * tests check what the thread writes, not how promptly (test/requests/lease.test.ts covers lapses).
 */
const LEASE_MS = 2000;
/** The thread renews a held lease every third of it. */
const RENEWAL_PERIOD_MS = LEASE_MS / 3;

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
      // The thread loads the SDK on first use, seconds on a loaded machine: started once here, so
      // that the tests' short leases are about renewals, not about a cold start.
      const warmUp = await claimed(60_000);
      const lease = leases.hold(warmUp);
      lease.report({ percent: 1, message: 'warming up' });
      await waitFor(async () => ((await store.get(warmUp.requestId))?.progress ? true : undefined), { timeoutMs: 50_000 });
      await lease.release();
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
      const terms = await claimed(LEASE_MS);
      const lease = leases.hold(terms);
      lease.report({ percent: 40, message: 'working' });
      // Two renewals seen in the table, the second past the claim's own end: only renewals keep it.
      const first = await waitFor(async () => {
        const item = await store.get(terms.requestId);
        return item!.lease_until > terms.leaseUntil ? item : undefined;
      });
      const held = await waitFor(async () => {
        const item = await store.get(terms.requestId);
        return item!.lease_until > first!.lease_until && Date.now() > terms.leaseUntil ? item : undefined;
      });
      const lapsedWhileHeld = lease.lapsed();
      const { heartbeats } = await lease.release();
      const releasedAt = Date.now();
      lease.report({ percent: 80, message: 'after release' });
      // Watching for writes that must not come: longer than the thread's renewal period. By design
      // release() does not wait for a renewal already under way, so one may still land, but it was
      // started before the release: it carries an earlier time.
      await sleep(RENEWAL_PERIOD_MS + 300);

      expect(held).toMatchObject({ status: 'processing', progress: { percent: 40, message: 'working' } });
      expect(heartbeats).toBeGreaterThanOrEqual(2);
      expect(lapsedWhileHeld).toBe(false);
      const after = await store.get(terms.requestId);
      expect(after).toMatchObject({ status: 'processing', progress: { percent: 40, message: 'working' } });
      expect(Date.parse(after!.updated_at)).toBeLessThanOrEqual(releasedAt);
      expect(after!.lease_until).toBeLessThanOrEqual(releasedAt + LEASE_MS);
    });

    it('reports the lease lost, and writes nothing more, once a newer attempt took the request', async () => {
      const terms = await claimed(LEASE_MS);
      const lease = leases.hold(terms);
      // A takeover by a worker whose clock is well ahead: to it, the lease has run out.
      const takeover = await store.claim(terms.requestId, terms.leaseUntil + 10_000, terms.leaseUntil + 60_000);

      const reason = await lease.lost;
      await lease.release();

      expect(takeover?.attempt).toBe(2);
      expect(reason).toBe('superseded');
      expect(await store.get(terms.requestId)).toMatchObject({ attempt: 2, lease_until: terms.leaseUntil + 60_000 });
    });

    it('reports a cancel as a lost lease from its ownership checks, before any renewal is due', async () => {
      const terms = await claimed(60_000);
      const lease = leases.hold(terms);
      await store.cancel(terms.requestId, Date.now(), 'cancelled', ErrorCode.Cancelled);

      const reason = await lease.lost;
      const { heartbeats } = await lease.release();

      expect(reason).toBe('superseded');
      // The first renewal of a 60 s lease is 20 s away: a read noticed the cancel, not a failed write.
      expect(heartbeats).toBe(0);
      expect(await store.get(terms.requestId)).toMatchObject({ status: 'error', error_code: 'cancelled' });
    });

    it('writes what it is handed as the store would: a step with no count, and progress, renew the lease', async () => {
      const terms = await claimed(LEASE_MS);
      const lease = leases.hold(terms);
      // `count` is optional in StepView: a task of unknown length hands it over undefined.
      lease.reportStep({ name: 'fetch', index: 1, count: undefined });
      lease.report({ percent: 10, message: 'fetching' });

      const written = waitFor(async () => ((await store.get(terms.requestId))?.step?.name === 'fetch' ? ('written' as const) : undefined));
      const outcome = await Promise.race([written, lease.lost]);
      await lease.release();

      expect(outcome).toBe('written');
      expect(await store.get(terms.requestId)).toMatchObject({ step: { name: 'fetch', index: 1 }, progress: { percent: 10, message: 'fetching' } });
    });
  });
}
