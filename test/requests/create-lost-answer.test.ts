import { connect, createServer, type Server, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDocumentClient, sdkConfig } from '../../src/aws-clients.js';
import { ensureTable, startDynamo, type DynamoServer } from '../../src/local/dynamo-server.js';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../../src/local/stack.js';
import { newPendingRequest } from '../../src/requests/model.js';
import { RequestStore } from '../../src/requests/store.js';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';

const TABLE = 'create-lost-answer';

/**
 * A proxy that loses the answer to the first PutItem: the request reaches DynamoDB and is applied,
 * then the connection is cut before the caller reads the answer, as a network fault would. The
 * SDK then retries the same put.
 */
async function startAnswerLosingProxy(target: string): Promise<{ url: string; lost: () => number; stop(): Promise<void> }> {
  const { port: targetPort } = new URL(target);
  let lost = 0;
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    const upstream = connect(Number(targetPort), '127.0.0.1');
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on('error', () => {});
      socket.on('close', () => sockets.delete(socket));
    }
    let losing = false;
    client.on('data', (chunk: Buffer) => {
      if (lost === 0 && chunk.toString('latin1').includes('DynamoDB_20120810.PutItem')) losing = true;
      upstream.write(chunk);
    });
    upstream.on('data', (chunk: Buffer) => {
      if (!losing) return void client.write(chunk);
      lost += 1;
      losing = false;
      client.destroy();
      upstream.destroy();
    });
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as { port: number }).port}`,
    lost: () => lost,
    stop: () =>
      new Promise((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

let dynamo: DynamoServer;
beforeAll(async () => {
  dynamo = await startDynamo({});
  const admin = new DynamoDBClient({ endpoint: dynamo.endpoint, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS });
  await ensureTable(admin, TABLE);
  admin.destroy();
});
afterAll(() => dynamo?.stop());

describe('creating a request whose answer is lost', () => {
  it('counts the retried put that finds its own first attempt as created, not as a taken id', async () => {
    const proxy = await startAnswerLosingProxy(dynamo.endpoint);
    const store = new RequestStore(createDocumentClient(sdkConfig({ endpoint: proxy.url, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS })), TABLE);
    const item = newPendingRequest({ requestId: '0b1e2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d', task: 'assess', input: { prompt: 'hello' }, nowMs: Date.now(), ttlSeconds: 3600, deadlineSeconds: 600, maxAttempts: 3, sweepGraceSeconds: 60 });
    try {
      const created = await store.create(item);

      expect(proxy.lost()).toBe(1);
      expect(created).toEqual({ created: true });
    } finally {
      await proxy.stop();
    }
  });
});
