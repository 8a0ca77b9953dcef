import { randomUUID } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureTable } from '../../src/local/dynamo-server.js';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../../src/local/stack.js';
import { CallbackStatus, ErrorCode, RequestStatus } from '../../src/contract.js';
import { SWEEP_SHARDS, sweepShard } from '../../src/requests/sweep-index.js';
import { newPendingRequest, type StoredRequest } from '../../src/requests/model.js';
import { StorageRejectedError } from '../../src/requests/errors.js';
import { RequestStore } from '../../src/requests/store.js';

const HOUR_MS = 3_600_000;

export function newItem(nowMs: number, overrides: Partial<StoredRequest> = {}): StoredRequest {
  const item = newPendingRequest({
    requestId: randomUUID(),
    task: 'assess',
    input: { prompt: 'hello world' },
    nowMs,
    ttlSeconds: 86_400,
    deadlineSeconds: HOUR_MS / 1000,
    maxAttempts: 3,
    sweepGraceSeconds: 60,
  });
  return { ...item, ...overrides };
}

/**
 * The store's contract: what every DynamoDB implementation we run on (dynalite here, Amazon's
 * DynamoDB Local in CI) must do for the conditional writes the invariants rest on.
 */
export function describeStoreContract(label: string, endpoint: () => string): void {
  describe(`RequestStore contract on ${label}`, () => {
    let client: DynamoDBClient;
    let store: RequestStore;
    const table = `contract-${randomUUID()}`;

    beforeAll(async () => {
      client = new DynamoDBClient({ endpoint: endpoint(), region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS });
      await ensureTable(client, table);
      store = new RequestStore(DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } }), table);
    });
    afterAll(() => client?.destroy());

    it('creates an item once and answers the existing one for a second create with the same id', async () => {
      const now = Date.now();
      const item = newItem(now);
      expect(await store.create(item)).toEqual({ created: true });
      const second = await store.create({ ...item, task: 'summarize' });
      expect(second.created).toBe(false);
      if (!second.created) expect(second.existing.task).toBe('assess');
    });

    it('lets a new request take the id of an item past its TTL that was not deleted yet', async () => {
      const now = Date.now();
      const expired = newItem(now, { expires_at: Math.floor(now / 1000) - 10 });
      await store.create(expired);
      const again = await store.create({ ...expired, expires_at: Math.floor(now / 1000) + 60, task: 'summarize' });
      expect(again).toEqual({ created: true });
      expect((await store.get(expired.request_id))?.task).toBe('summarize');
    });

    it('claims a pending request once: the second claim while the lease is live gets nothing', async () => {
      const now = Date.now();
      const item = newItem(now);
      await store.create(item);
      const first = await store.claim(item.request_id, now, now + 60_000);
      const second = await store.claim(item.request_id, now + 1, now + 60_001);
      expect(first).toMatchObject({ status: 'processing', attempt: 1, lease_until: now + 60_000 });
      expect(second).toBeUndefined();
    });

    it('lets a new attempt take over once the lease ran out, and fences the old worker out', async () => {
      const now = Date.now();
      const item = newItem(now);
      await store.create(item);
      await store.claim(item.request_id, now, now + 1000);
      const takeover = await store.claim(item.request_id, now + 2000, now + 60_000);
      expect(takeover?.attempt).toBe(2);

      const staleFinish = await store.finish(item.request_id, 1, now + 2200, { status: RequestStatus.Complete, result: 'stale' });
      const freshFinish = await store.finish(item.request_id, 2, now + 2300, { status: RequestStatus.Complete, result: 'fresh' });
      expect(staleFinish).toBeUndefined();
      expect(freshFinish).toMatchObject({ status: 'complete', result: 'fresh', attempt: 2 });
      expect(await store.get(item.request_id)).toMatchObject({ status: 'complete', result: 'fresh', attempt: 2 });
    });

    it('refuses a claim when no attempt is left, after the deadline, or on a terminal request', async () => {
      const now = Date.now();
      const exhausted = newItem(now, { status: RequestStatus.Processing, attempt: 3, lease_until: now - 1 });
      const late = newItem(now, { deadline_at: now - 1 });
      const done = newItem(now, { status: RequestStatus.Complete, result: 1 });
      for (const item of [exhausted, late, done]) await store.create(item);
      const claims = await Promise.all([exhausted, late, done].map((item) => store.claim(item.request_id, now, now + 1000)));
      expect(claims).toEqual([undefined, undefined, undefined]);
    });

    it('never creates an item when claiming or finishing an id that does not exist', async () => {
      const id = randomUUID();
      const now = Date.now();
      expect(await store.claim(id, now, now + 1000)).toBeUndefined();
      expect(await store.finish(id, 1, now, { status: RequestStatus.Complete, result: 1 })).toBeUndefined();
      expect(await store.get(id)).toBeUndefined();
    });

    it('cancels pending and processing requests, reports terminal and unknown ones', async () => {
      const now = Date.now();
      const pending = newItem(now);
      const running = newItem(now);
      const done = newItem(now, { status: RequestStatus.Error, error: 'x', error_code: ErrorCode.TaskFailed });
      for (const item of [pending, running, done]) await store.create(item);
      await store.claim(running.request_id, now, now + 60_000);

      const results = await Promise.all(
        [pending, running, done, newItem(now)].map((item) => store.cancel(item.request_id, now, 'cancelled', ErrorCode.Cancelled)),
      );
      expect(results.map((result) => result.kind)).toEqual(['cancelled', 'cancelled', 'terminal', 'not_found']);
      // The running worker's fenced outcome write now fails.
      expect(await store.finish(running.request_id, 1, now + 1, { status: RequestStatus.Complete, result: 'late' })).toBeUndefined();
    });

    it("lets only a request's owner cancel it, an API key's item from before owners included; for any other caller it does not exist", async () => {
      const now = Date.now();
      const legacy = newItem(now, { api_key_id: 'key-a' });
      const users = newItem(now, { owner: 'user:https://idp.example.com#alice' });
      const open = newItem(now);
      for (const item of [legacy, users, open]) await store.create(item);

      const attempts = [
        await store.cancel(legacy.request_id, now, 'x', ErrorCode.Cancelled, 'key:key-b'),
        await store.cancel(legacy.request_id, now, 'x', ErrorCode.Cancelled),
        await store.cancel(open.request_id, now, 'x', ErrorCode.Cancelled, 'key:key-a'),
        await store.cancel(users.request_id, now, 'x', ErrorCode.Cancelled, 'user:https://idp.example.com#bob'),
        await store.cancel(users.request_id, now, 'x', ErrorCode.Cancelled, 'key:key-a'),
        await store.cancel(legacy.request_id, now, 'x', ErrorCode.Cancelled, 'key:key-a'),
        await store.cancel(users.request_id, now, 'x', ErrorCode.Cancelled, 'user:https://idp.example.com#alice'),
      ];

      expect(attempts.map((result) => result.kind)).toEqual(['not_found', 'not_found', 'not_found', 'not_found', 'not_found', 'cancelled', 'cancelled']);
      expect((await store.get(open.request_id))?.status).toBe('pending');
    });

    it('refuses an item over 400 KB for good: a rejection, not an outage to retry', async () => {
      const now = Date.now();
      const item = newItem(now);
      await store.create(item);
      await store.claim(item.request_id, now, now + 60_000);

      const write = store.finish(item.request_id, 1, now, { status: RequestStatus.Complete, result: 'x'.repeat(420_000) });

      await expect(write).rejects.toBeInstanceOf(StorageRejectedError);
      await expect(write).rejects.toMatchObject({ code: 'ValidationException' });
      expect((await store.get(item.request_id))?.status).toBe('processing');
    });

    it('marks a lost request only if it is still as it was seen', async () => {
      const now = Date.now();
      const item = newItem(now);
      await store.create(item);
      const claimed = await store.claim(item.request_id, now, now + 1000);
      expect(await store.markLost(item, now, ErrorCode.WorkerLost, 'lost')).toBeUndefined();
      expect(await store.markLost(claimed!, now, ErrorCode.WorkerLost, 'lost')).toMatchObject({ status: 'error', error_code: 'worker_lost' });
      expect(await store.get(item.request_id)).toMatchObject({ status: 'error', error_code: 'worker_lost', lease_until: 0 });
    });

    it('removes an undispatched request, but not one a worker already claimed', async () => {
      const now = Date.now();
      const untouched = newItem(now);
      const claimed = newItem(now);
      await store.create(untouched);
      await store.create(claimed);
      await store.claim(claimed.request_id, now, now + 1000);
      expect(await store.removeUndispatched(untouched.request_id)).toBe('removed');
      expect(await store.removeUndispatched(claimed.request_id)).toBe('claimed');
      expect(await store.get(untouched.request_id)).toBeUndefined();
      expect(await store.get(claimed.request_id)).toBeDefined();
    });

    it('keeps a request a replay has marked as dispatched again, and marks only never-claimed ones', async () => {
      const now = Date.now();
      const replayed = newItem(now);
      const claimed = newItem(now);
      for (const item of [replayed, claimed]) await store.create(item);
      await store.claim(claimed.request_id, now, now + 1000);

      const marks = [await store.markRedispatched(replayed.request_id), await store.markRedispatched(claimed.request_id)];
      const removal = await store.removeUndispatched(replayed.request_id);

      expect(marks).toEqual([true, false]);
      expect(removal).toBe('replayed');
      expect(await store.get(replayed.request_id)).toMatchObject({ status: 'pending', redispatches: 1 });
    });
    it('keeps each request in the sweep index while there is something to check, due when to look next', async () => {
      const now = Date.now();
      const due = async (ids: string[], at: number) => {
        const found = (await Promise.all(SWEEP_SHARDS.map((shard) => store.dueForSweep(shard, at, 1000)))).flat();
        return found.filter((entry) => ids.includes(entry.requestId)).map((entry) => entry.requestId).sort();
      };
      const finished = newItem(now);
      const running = newItem(now);
      const lost = newItem(now);
      const cancelled = newItem(now);
      const waiting = newItem(now);
      const ids = [finished, running, lost, cancelled, waiting].map((item) => item.request_id);
      for (const item of [finished, running, lost, cancelled, waiting]) await store.create(item);
      // Created: due when the grace period ends.
      expect(await due(ids, now + 59_000)).toEqual([]);
      expect(await due(ids, now + 60_000)).toEqual([...ids].sort());

      // Claimed: due when the lease runs out. Ended with no webhook owed: out of the index.
      for (const item of [finished, running, lost]) await store.claim(item.request_id, now, now + 5000);
      await store.finish(finished.request_id, 1, now + 100, { status: RequestStatus.Complete, result: 1 });
      const lostItem = await store.get(lost.request_id);
      await store.markLost(lostItem!, now + 200, ErrorCode.WorkerLost, 'lost');
      // Cancelled: due at once, for the sweeper to deliver a webhook or clear the entry.
      await store.cancel(cancelled.request_id, now + 300, 'cancelled', ErrorCode.Cancelled);

      expect(await due(ids, now + 300)).toEqual([cancelled.request_id]);
      expect(await due(ids, now + 5000)).toEqual([cancelled.request_id, running.request_id].sort());
      expect((await store.get(finished.request_id))?.sweep_at).toBeUndefined();
      expect((await store.get(lost.request_id))?.sweep_shard).toBeUndefined();
      expect((await store.get(running.request_id))?.sweep_shard).toBe(sweepShard(running.request_id));
    });

    it('moves a sweep entry only from where it was seen, and takes it out', async () => {
      const now = Date.now();
      const item = newItem(now);
      await store.create(item);
      const seen = item.sweep_at!;
      const moved = await store.reschedule(item.request_id, seen, seen + 1000);
      const stale = await store.reschedule(item.request_id, seen, seen + 9000);
      expect(moved?.sweep_at).toBe(seen + 1000);
      expect(stale).toBeUndefined();
      expect(await store.reschedule(item.request_id, seen + 1000, undefined)).toBeDefined();
      const cleared = await store.get(item.request_id);
      expect(cleared?.sweep_at).toBeUndefined();
      expect(cleared?.sweep_shard).toBeUndefined();
    });

    it('records a webhook delivery once per seen attempt count, keeping the request due for the next try or not', async () => {
      const now = Date.now();
      const item = newItem(now, { callback_url: 'https://example.com/hook', callback: { status: CallbackStatus.Pending, attempts: 0 } });
      await store.create(item);
      const first = await store.recordDelivery(item.request_id, 0, { status: CallbackStatus.Pending, attempts: 3, last_status: 500 }, now + 30_000);
      const racing = await store.recordDelivery(item.request_id, 0, { status: CallbackStatus.Delivered, attempts: 1, last_status: 200 }, undefined);
      expect([first, racing]).toEqual([true, false]);
      expect(await store.get(item.request_id)).toMatchObject({ callback: { status: 'pending', attempts: 3, last_status: 500 }, sweep_at: now + 30_000 });

      expect(await store.recordDelivery(item.request_id, 3, { status: CallbackStatus.Delivered, attempts: 4, last_status: 204 }, undefined)).toBe(true);
      const delivered = await store.get(item.request_id);
      expect(delivered).toMatchObject({ callback: { status: 'delivered', attempts: 4, last_status: 204 } });
      expect(delivered?.sweep_at).toBeUndefined();
      // Nothing is owed any more: no later run records over it.
      expect(await store.recordDelivery(item.request_id, 4, { status: CallbackStatus.Failed, attempts: 5 }, undefined)).toBe(false);
    });

    it('keeps a lost request that owes a webhook due at once', async () => {
      const now = Date.now();
      const item = newItem(now, { callback_url: 'https://example.com/hook', callback: { status: CallbackStatus.Pending, attempts: 0 } });
      await store.create(item);
      const claimed = await store.claim(item.request_id, now, now + 1000);
      const ended = await store.markLost(claimed!, now + 2000, ErrorCode.WorkerLost, 'lost');
      expect(ended).toMatchObject({ status: 'error', sweep_at: now + 2000, callback: { status: 'pending', attempts: 0 } });
    });

    it("lists an owner's requests newest first a page at a time, without the expired, other owners' or the anonymous tenant's", async () => {
      const now = Date.now();
      const owner = `user:https://idp.example.com#${randomUUID()}`;
      const at = (offsetMs: number) => new Date(now + offsetMs).toISOString();
      const mine = [0, 1, 2, 3, 4].map((index) => newItem(now, { owner, created_at: at(index) }));
      const expired = newItem(now, { owner, created_at: at(5), expires_at: Math.floor(now / 1000) - 1 });
      const others = [newItem(now, { owner: `${owner}-other`, created_at: at(6) }), newItem(now, { created_at: at(7) })];
      for (const item of [...mine, expired, ...others]) await store.create(item);

      const walk: string[][] = [];
      let startKey: Awaited<ReturnType<RequestStore['listOwned']>>['nextKey'];
      do {
        const page = await store.listOwned({ owner, status: undefined, limit: 2, startKey, nowMs: now });
        walk.push(page.items.map((item) => item.request_id));
        startKey = page.nextKey;
      } while (startKey !== undefined);

      const newestFirst = mine.map((item) => item.request_id).reverse();
      expect(walk).toEqual([newestFirst.slice(0, 2), newestFirst.slice(2, 4), newestFirst.slice(4)]);
    });

    it('tops up a page a status filter thinned with further Queries, and carries only what a list shows', async () => {
      const now = Date.now();
      const owner = `key:${randomUUID()}`;
      const at = (offsetMs: number) => new Date(now + offsetMs).toISOString();
      const items = Array.from({ length: 9 }, (_, index) => newItem(now, { owner, created_at: at(index), status: index % 3 === 0 ? RequestStatus.Complete : RequestStatus.Pending, result: { big: 'x' } }));
      for (const item of items) await store.create(item);

      const page = await store.listOwned({ owner, status: RequestStatus.Complete, limit: 2, startKey: undefined, nowMs: now });

      expect(page.items.map((item) => item.request_id)).toEqual([items[6]!.request_id, items[3]!.request_id]);
      expect(page.queries).toBeGreaterThan(1);
      expect(page.nextKey).toBeDefined();
      expect(Object.keys(page.items[0]!).sort()).toEqual(['created_at', 'expires_at', 'owner', 'request_id', 'status', 'task', 'updated_at']);
    });
  });
}

