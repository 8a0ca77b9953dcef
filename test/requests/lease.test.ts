import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureTable, startDynamo, type DynamoServer } from '../../src/local/dynamo-server.js';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../../src/local/stack.js';
import { silentLogger } from '../../src/log.js';
import { createLeaseKeeper } from '../../src/requests/lease.js';
import { RequestStore } from '../../src/requests/store.js';
import { startTcpProxy } from '../support/tcp-proxy.js';
import { describeLeaseContract } from './lease-contract.js';
import { newItem } from './store-contract.js';

let dynamo: DynamoServer;
beforeAll(async () => {
  dynamo = await startDynamo({});
});
afterAll(() => dynamo?.stop());

describeLeaseContract('dynalite', () => dynamo.endpoint);

describe('lease keeper when the table is out of reach', () => {
  it('reports the lease lapsed once it could not renew it in time, and lapsed() says so at once', async () => {
    const client = new DynamoDBClient({ endpoint: dynamo.endpoint, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS });
    await ensureTable(client, 'lapse-test');
    const store = new RequestStore(DynamoDBDocumentClient.from(client), 'lapse-test');
    const proxy = await startTcpProxy(dynamo.endpoint);
    const leases = createLeaseKeeper({
      tableName: 'lapse-test',
      clientConfig: { endpoint: proxy.url, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS, maxAttempts: 1, requestHandler: { connectionTimeout: 100, requestTimeout: 200 } },
      log: silentLogger,
    });
    try {
      const now = Date.now();
      const item = newItem(now);
      await store.create(item);
      const claimed = await store.claim(item.request_id, now, now + 600);
      const lease = leases.hold({ requestId: item.request_id, attempt: 1, leaseMs: 600, leaseUntil: claimed!.lease_until, progressIntervalMs: 50, invocationEndsAt: now + 60_000 });
      proxy.cut();

      const reason = await lease.lost;
      const lapsedAt = Date.now();
      await lease.release();

      expect(reason).toBe('lapsed');
      expect(lease.lapsed()).toBe(true);
      expect(lapsedAt).toBeLessThan(claimed!.lease_until + 200);
    } finally {
      client.destroy();
      await proxy.stop();
    }
  });
});
