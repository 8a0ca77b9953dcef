// Durable steps as an adversarial review attacked them: step names, item sizes with checkpoints,
// storage outages inside steps, swallowed continuations. Each case reproduced a fault before its
// fix, on dynalite and s3rver (behind a cuttable proxy); the review's cases that need the sandbox
// stack are in test/integration/steps.test.ts.
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { ensureTable, startDynamo, type DynamoServer } from '../../../src/local/dynamo-server.js';
import { startS3, type S3Server } from '../../../src/local/s3-server.js';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../../../src/local/stack.js';
import { createDocumentClient } from '../../../src/aws-clients.js';
import { RequestStore } from '../../../src/requests/store.js';
import { createLeaseKeeper, type LeaseKeeper } from '../../../src/requests/lease.js';
import { silentLogger, type Logger } from '../../../src/log.js';
import { silentMetrics } from '../../../src/metrics.js';
import { createTaskRegistry } from '../../../src/tasks/registry.js';
import type { InvocationContext, WorkerDeps } from '../../../src/requests/ports.js';
import type { Task } from '../../../src/tasks/task.js';
import type { Dispatcher } from '../../../src/requests/dispatcher.js';
import { createS3ObjectStore } from '../../../src/storage/s3-object-store.js';
import type { ObjectStore } from '../../../src/storage/object-store.js';
import { newItem } from '../store-contract.js';
import { processRequest } from '../../../src/requests/worker.js';
import { workerConfig } from '../../support/worker-config.js';
import { startTcpProxy } from '../../support/tcp-proxy.js';

export const TABLE = 'durable-steps';
export const BUCKET = 'durable-steps-bucket';

export interface Harness {
  dynamo: DynamoServer;
  s3: S3Server;
  store: RequestStore;
  leases: LeaseKeeper;
  objects: ObjectStore;
  /** The same bucket behind a proxy whose link can be cut. */
  flakyObjects: ObjectStore;
  s3Proxy: Awaited<ReturnType<typeof startTcpProxy>>;
  stop(): Promise<void>;
}

export async function startHarness(): Promise<Harness> {
  const dynamo = await startDynamo({});
  const raw = new DynamoDBClient({ endpoint: dynamo.endpoint, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS });
  await ensureTable(raw, TABLE);
  const store = new RequestStore(createDocumentClient({ endpoint: dynamo.endpoint, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS }), TABLE);
  const leases = createLeaseKeeper({
    tableName: TABLE,
    clientConfig: { endpoint: dynamo.endpoint, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS, maxAttempts: 1 },
    log: silentLogger,
  });
  const s3 = await startS3({ bucket: BUCKET });
  const objects = createS3ObjectStore({ bucket: BUCKET, clientConfig: { endpoint: s3.endpoint, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS } });
  const s3Proxy = await startTcpProxy(s3.endpoint);
  const flakyObjects = createS3ObjectStore({
    bucket: BUCKET,
    clientConfig: { endpoint: s3Proxy.url, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS, maxAttempts: 1, requestHandler: { connectionTimeout: 200, requestTimeout: 500 } },
  });
  return {
    dynamo, s3, store, leases, objects, flakyObjects, s3Proxy,
    async stop() {
      raw.destroy();
      await s3Proxy.stop();
      await s3.stop();
      await dynamo.stop();
    },
  };
}

/** An invocation with `ms` left, as Lambda's context reports it. */
export function invocation(ms = 60_000): InvocationContext {
  const end = Date.now() + ms;
  return { awsRequestId: `aws-${Math.random().toString(36).slice(2)}`, invokedFunctionArn: 'arn:aws:lambda:us-east-1:000000000000:function:test', getRemainingTimeInMillis: () => end - Date.now() };
}

/** A dispatcher that records what it sent. */
export function recordingDispatcher(): { sent: string[]; dispatcher: () => Promise<Dispatcher> } {
  const sent: string[] = [];
  return { sent, dispatcher: async () => ({ dispatch: async (id) => void sent.push(id) }) };
}

export function depsFor(
  h: Harness,
  run: Task['run'],
  overrides: Omit<Partial<WorkerDeps>, 'config'> & { config?: Partial<WorkerDeps['config']>; steps?: number } = {},
): WorkerDeps {
  const { config, steps, ...rest } = overrides;
  return {
    store: h.store,
    leases: h.leases,
    objects: h.objects,
    tasks: createTaskRegistry([{ name: 'assess', description: 'test', ...(steps !== undefined ? { steps } : {}), run }]),
    config: workerConfig({ ...config }),
    now: Date.now,
    log: silentLogger as Logger,
    metrics: silentMetrics,
    dispatcher: recordingDispatcher().dispatcher,
    ...rest,
  };
}

export async function storedRequest(h: Harness, overrides = {}) {
  const item = newItem(Date.now(), overrides);
  await h.store.create(item);
  return item;
}

/** What the bucket holds under a request's prefix, listed with the real S3 client: keys and their bytes. */
export async function bucketContents(h: Harness, requestId: string): Promise<{ keys: string[]; bytes: number }> {
  const client = new S3Client({ endpoint: h.s3.endpoint, forcePathStyle: true, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS });
  try {
    const page = await client.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: `requests/${requestId}/` }));
    const contents = page.Contents ?? [];
    return { keys: contents.map((object) => object.Key!), bytes: contents.reduce((total, object) => total + (object.Size ?? 0), 0) };
  } finally {
    client.destroy();
  }
}

/** Runs a request's deliveries one after another, as the continuation events would, until one does not continue. */
export async function runToEnd(deps: WorkerDeps, requestId: string, invocationMs: number, afterEach: () => void = () => {}, maxDeliveries = 20): Promise<string[]> {
  const results: string[] = [];
  for (let delivery = 0; delivery < maxDeliveries; delivery += 1) {
    const result = await processRequest(deps, requestId, invocation(invocationMs), delivery);
    results.push(result);
    afterEach();
    if (result !== 'continued') break;
  }
  return results;
}
