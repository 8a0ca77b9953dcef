import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { processRequest } from '../../../src/requests/worker.js';
import { RequestStore } from '../../../src/requests/store.js';
import { createLeaseKeeper } from '../../../src/requests/lease.js';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../../../src/local/stack.js';
import { silentLogger } from '../../../src/log.js';
import { delay } from '../../../src/delay.js';
import { startTcpProxy } from '../../support/tcp-proxy.js';
import { TABLE, depsFor, invocation, recordingDispatcher, startHarness, storedRequest, type Harness } from './harness.js';

let h: Harness;
beforeAll(async () => void (h = await startHarness()));
afterAll(async () => h?.stop());

describe('hand-back while the table is unreachable', () => {
  it('throws for a Lambda retry, which replays the checkpoint and finishes; nothing runs twice', async () => {
    const item = await storedRequest(h);
    const proxy = await startTcpProxy(h.dynamo.endpoint);
    const client = new DynamoDBClient({ endpoint: proxy.url, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS, maxAttempts: 1, requestHandler: { connectionTimeout: 200, requestTimeout: 500 } });
    const flaky = new RequestStore(DynamoDBDocumentClient.from(client), TABLE);
    const leases = createLeaseKeeper({ tableName: TABLE, clientConfig: { endpoint: proxy.url, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS, maxAttempts: 1 }, log: silentLogger });
    const runs: Record<string, number> = {};
    const { sent, dispatcher } = recordingDispatcher();
    let cut = true;
    const run: Parameters<typeof depsFor>[1] = async ({ step, continueLater }) => {
      const one = await step('one', async () => ((runs.one = (runs.one ?? 0) + 1), 1));
      continueLater();
      if (cut) proxy.cut();
      return step('two', async () => ((runs.two = (runs.two ?? 0) + 1), one + 1));
    };
    try {
      const first = await processRequest(depsFor(h, run, { store: flaky, leases, dispatcher }), item.request_id, invocation(3000)).catch((e: Error) => `threw ${e.name}`);
      cut = false;
      proxy.restore();
      const mid = await h.store.get(item.request_id);
      await delay(Math.max(0, mid!.lease_until - Date.now()) + 50);
      const retry = await processRequest(depsFor(h, run, { store: flaky, leases, dispatcher }), item.request_id, invocation(60_000));
      const end = await h.store.get(item.request_id);
      expect({ first, retry, runs, status: end?.status, result: end?.result }).toEqual({ first: 'threw StorageUnavailableError', retry: 'completed', runs: { one: 1, two: 1 }, status: 'complete', result: 2 });
    } finally {
      client.destroy();
      await proxy.stop();
    }
  });
});
