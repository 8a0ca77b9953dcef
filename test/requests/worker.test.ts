import { noContinuations, workerConfig } from '../support/worker-config.js';
import { silentMetrics } from '../../src/metrics.js';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureTable, startDynamo, type DynamoServer } from '../../src/local/dynamo-server.js';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../../src/local/stack.js';
import { createJsonLogger, silentLogger } from '../../src/log.js';
import { RequestStore } from '../../src/requests/store.js';
import { MAX_ITEM_BYTES } from '../../src/requests/item-size.js';
import { createLeaseKeeper, type LeaseKeeper } from '../../src/requests/lease.js';
import type { InvocationContext, WorkerDeps } from '../../src/requests/ports.js';
import { MAX_ERROR_CHARS, processRequest } from '../../src/requests/worker.js';
import { createDocumentClient } from '../../src/aws-clients.js';
import { createTaskRegistry } from '../../src/tasks/registry.js';
import { delay } from '../../src/delay.js';
import { TaskError, type Task } from '../../src/tasks/task.js';
import { StorageUnavailableError } from '../../src/requests/errors.js';
import { createLogCollector, type LogCollector } from '../support/logs.js';
import { startTcpProxy } from '../support/tcp-proxy.js';
import { newItem } from './store-contract.js';

let dynamo: DynamoServer;
let client: DynamoDBClient;
let store: RequestStore;
let leases: LeaseKeeper;

/** A lease keeper whose thread writes to the table at `endpoint`, as the worker's store does. */
function leasesAt(endpoint: string): LeaseKeeper {
  return createLeaseKeeper({
    tableName: 'worker-test',
    clientConfig: { endpoint, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS, maxAttempts: 1 },
    log: silentLogger,
  });
}

beforeAll(async () => {
  dynamo = await startDynamo({});
  client = new DynamoDBClient({ endpoint: dynamo.endpoint, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS });
  await ensureTable(client, 'worker-test');
  // The store exactly as the handler builds it (marshalling options included).
  store = new RequestStore(createDocumentClient({ endpoint: dynamo.endpoint, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS }), 'worker-test');
  leases = leasesAt(dynamo.endpoint);
});
afterAll(async () => {
  client?.destroy();
  await dynamo?.stop();
});

/** An invocation with `ms` left, as Lambda's context reports it. */
function invocation(ms = 60_000): InvocationContext {
  const end = Date.now() + ms;
  return { awsRequestId: 'aws-test', invokedFunctionArn: 'arn:aws:lambda:us-east-1:000000000000:function:test', getRemainingTimeInMillis: () => end - Date.now() };
}

/**
 * The retries of a write the table refused for good (a ValidationException): none may happen. A
 * retry after a call that timed out on a loaded machine is the retry doing its job.
 */
const refusalsRetried = (logs: LogCollector) =>
  logs.messages('write failed; retrying').filter((line) => String(line.cause).startsWith('ValidationException'));

/** No results bucket, and a result stays in the item as long as the item holds it. */
const WORKER_CONFIG = workerConfig({ inlineResultMaxBytes: 300_000 });

function depsWith(run: Task['run'], { config, ...overrides }: Omit<Partial<WorkerDeps>, 'config'> & { config?: Partial<WorkerDeps['config']> } = {}): WorkerDeps {
  return {
    store,
    leases,
    objects: undefined,
    tasks: createTaskRegistry([{ name: 'assess', description: 'test', run }]),
    config: { ...WORKER_CONFIG, ...config },
    now: Date.now,
    log: silentLogger,
    metrics: silentMetrics,
    dispatcher: noContinuations,
    ...overrides,
  };
}

async function stored(overrides = {}) {
  const item = newItem(Date.now(), overrides);
  await store.create(item);
  return item;
}

describe('processRequest', () => {
  it('runs the work once when the same event is delivered twice at the same time', async () => {
    const item = await stored();
    let runs = 0;
    const deps = depsWith(async () => {
      runs += 1;
      await delay(100, new AbortController().signal);
      return 'done';
    });

    const results = await Promise.all([processRequest(deps, item.request_id, invocation()), processRequest(deps, item.request_id, invocation())]);

    expect(results.sort()).toEqual(['completed', 'skipped']);
    expect(runs).toBe(1);
    expect(await store.get(item.request_id)).toMatchObject({ status: 'complete', result: 'done', attempt: 1 });
  });

  it('does nothing when an event arrives again after the request completed', async () => {
    const item = await stored();
    const deps = depsWith(async () => 'first');
    await processRequest(deps, item.request_id, invocation());
    const late = await processRequest(depsWith(async () => 'second'), item.request_id, invocation());
    expect(late).toBe('skipped');
    expect((await store.get(item.request_id))?.result).toBe('first');
  });

  it('rejects the late write of a worker whose lease ran out and was taken over', async () => {
    const item = await stored();
    let releaseStale!: () => void;
    const staleDone = new Promise<void>((resolve) => (releaseStale = resolve));
    // The stale worker thinks the lease is 1 s and stalls; the next attempt runs on a clock 2 s ahead.
    const stale = processRequest(
      depsWith(async () => {
        await staleDone;
        return 'stale';
      }, { config: { leaseSeconds: 1, progressIntervalMs: 60_000 } }),
      item.request_id,
      invocation(),
    );
    await new Promise((resolve) => setTimeout(resolve, 50));
    const fresh = await processRequest(depsWith(async () => 'fresh', { now: () => Date.now() + 2000 }), item.request_id, invocation());
    releaseStale();

    expect(fresh).toBe('completed');
    expect(await stale).toBe('superseded');
    expect(await store.get(item.request_id)).toMatchObject({ status: 'complete', result: 'fresh', attempt: 2 });
  });

  it('ends the work as error/timeout before the function would be killed, and fires the signal', async () => {
    const item = await stored();
    let sawAbort = false;
    const result = await processRequest(
      depsWith(async ({ signal }) => {
        await delay(10_000, signal).catch((reason) => {
          sawAbort = true;
          throw reason;
        });
      }),
      item.request_id,
      invocation(1200),
    );
    expect(result).toBe('failed');
    expect(sawAbort).toBe(true);
    expect(await store.get(item.request_id)).toMatchObject({ status: 'error', error_code: 'timeout', lease_until: 0 });
  });

  it('ends a task that ignores its signal at the deadline anyway', async () => {
    const item = await stored();
    // The task never settles: that processRequest returns at all is the deadline's doing.
    const result = await processRequest(depsWith(() => new Promise(() => {})), item.request_id, invocation(1000));
    expect(result).toBe('failed');
    expect((await store.get(item.request_id))?.error_code).toBe('timeout');
  });

  it('shows a TaskError message but hides any other error behind a reference', async () => {
    const shown = await stored();
    const hidden = await stored();
    await processRequest(depsWith(async () => { throw new TaskError('The document is empty.'); }), shown.request_id, invocation());
    await processRequest(depsWith(async () => { throw new Error('connect ECONNREFUSED 10.1.2.3:5432 password=hunter2'); }), hidden.request_id, invocation());

    expect(await store.get(shown.request_id)).toMatchObject({ status: 'error', error_code: 'task_failed', error: 'The document is empty.' });
    const item = await store.get(hidden.request_id);
    expect(item).toMatchObject({ status: 'error', error_code: 'task_failed', error: 'The task failed. Reference: aws-test' });
    expect(JSON.stringify(item)).not.toContain('hunter2');
  });

  it('refuses a result too large for a DynamoDB item', async () => {
    const item = await stored();
    await processRequest(depsWith(async () => 'x'.repeat(MAX_ITEM_BYTES)), item.request_id, invocation());
    expect(await store.get(item.request_id)).toMatchObject({ status: 'error', error_code: 'result_too_large' });
  });

  it('ends result_too_large at once, running the task once, when the input and the result together pass the item limit', async () => {
    const item = await stored({ input: { prompt: 'p'.repeat(100_000) } });
    let runs = 0;
    const logs = createLogCollector();
    const result = await processRequest(
      depsWith(
        async () => {
          runs += 1;
          return 'r'.repeat(340_000);
        },
        { log: createJsonLogger(logs.log) },
      ),
      item.request_id,
      invocation(8000),
    );
    expect({ result, runs, refusalsRetried: refusalsRetried(logs) }).toEqual({ result: 'failed', runs: 1, refusalsRetried: [] });
    expect(await store.get(item.request_id)).toMatchObject({ status: 'error', error_code: 'result_too_large' });
  });

  it('stores a result holding integers beyond 2^53, after one run', async () => {
    const item = await stored();
    let runs = 0;
    const result = await processRequest(depsWith(async () => ((runs += 1), { bytes: 1e16, id: 9007199254740993 })), item.request_id, invocation(8000));
    expect({ result, runs }).toEqual({ result: 'completed', runs: 1 });
    expect((await store.get(item.request_id))?.result).toEqual({ bytes: 1e16, id: 9007199254740992 });
  });

  it('ends task_failed after one run, saying why, for a result DynamoDB would refuse (too deep, an empty key, a number out of range)', async () => {
    const nest = (levels: number): unknown => (levels === 0 ? 1 : { a: nest(levels - 1) });
    for (const [value, why] of [[nest(32), /more than 31 levels/], [{ '': 1 }, /empty string/], [{ tiny: 5e-324 }, /outside the range/]] as const) {
      const item = await stored();
      let runs = 0;
      const result = await processRequest(depsWith(async () => ((runs += 1), value)), item.request_id, invocation(8000));
      expect({ result, runs }).toEqual({ result: 'failed', runs: 1 });
      expect(await store.get(item.request_id)).toMatchObject({ status: 'error', error_code: 'task_failed', error: expect.stringMatching(why) });
    }
  });

  it('says why a result is refused, as for a step, when it is over the inline limit and DynamoDB would refuse it anyway', async () => {
    const item = await stored();
    // Over INLINE_RESULT_MAX_BYTES with no bucket, and holding a number DynamoDB refuses: shrinking it would not help.
    const value = { huge: 1e200, padding: 'x'.repeat(2000) };
    const result = await processRequest(depsWith(async () => value, { config: { inlineResultMaxBytes: 1000 } }), item.request_id, invocation(8000));
    expect(result).toBe('failed');
    expect(await store.get(item.request_id)).toMatchObject({ status: 'error', error_code: 'task_failed', error: expect.stringMatching(/outside the range/) });
  });

  it('cuts a TaskError sentence too long to store, and ends task_failed after one run', async () => {
    const item = await stored();
    let runs = 0;
    const result = await processRequest(
      depsWith(async () => {
        runs += 1;
        throw new TaskError('x'.repeat(420_000));
      }),
      item.request_id,
      invocation(8000),
    );
    const stored_ = await store.get(item.request_id);
    expect({ result, runs }).toEqual({ result: 'failed', runs: 1 });
    expect(stored_).toMatchObject({ status: 'error', error_code: 'task_failed' });
    expect(stored_!.error!.length).toBeLessThanOrEqual(MAX_ERROR_CHARS);
  });

  it('tells a task that writes files, on a deployment without a results bucket, why it cannot', async () => {
    const item = await stored();
    await processRequest(depsWith(async ({ files }) => files.put('out.txt', 'x')), item.request_id, invocation());
    expect(await store.get(item.request_id)).toMatchObject({ status: 'error', error_code: 'task_failed', error: expect.stringContaining('no results bucket') });
  });

  it('ends a request whose task this deployment no longer has', async () => {
    const item = await stored({ task: 'retired' });
    await processRequest(depsWith(async () => 'unused'), item.request_id, invocation());
    expect(await store.get(item.request_id)).toMatchObject({ status: 'error', error_code: 'task_failed', error: expect.stringContaining('"retired"') });
  });

  it('coalesces a chatty task\'s progress into about one write per interval', async () => {
    const item = await stored();
    let heartbeats = 0;
    const counting: LeaseKeeper = {
      hold(terms) {
        const lease = leases.hold(terms);
        return { ...lease, lost: lease.lost, release: async () => ({ heartbeats: (heartbeats = (await lease.release()).heartbeats) }) };
      },
    };
    const started = Date.now();
    await processRequest(
      depsWith(async ({ reportProgress, signal }) => {
        for (let step = 0; step < 500; step += 1) {
          reportProgress({ percent: step / 5, message: `step ${step}` });
          await delay(1, signal);
        }
      }, { leases: counting, config: { leaseSeconds: 60, progressIntervalMs: 100 } }),
      item.request_id,
      invocation(),
    );
    const heldMs = Date.now() - started;
    // 500 reports in at least 500 ms at 100 ms intervals: a handful of writes, not hundreds. The
    // bound follows how long the lease was really held, which a loaded machine stretches.
    expect(heartbeats).toBeGreaterThanOrEqual(2);
    expect(heartbeats).toBeLessThanOrEqual(Math.ceil(heldMs / 100) + 1);
    expect((await store.get(item.request_id))?.progress).toEqual({ percent: 100, message: 'Done' });
  });

  it('marks a request lost when an event arrives after its last attempt lost the lease', async () => {
    const now = Date.now();
    const item = await stored({ status: 'processing', attempt: 3, max_attempts: 3, lease_until: now - 1 });
    const result = await processRequest(depsWith(async () => 'never'), item.request_id, invocation());
    expect(result).toBe('skipped');
    expect(await store.get(item.request_id)).toMatchObject({ status: 'error', error_code: 'worker_lost' });
  });

  describe('when DynamoDB refuses a write for good', () => {
    // A table that takes items of 100 KB at most: a write our 400 KB estimate lets through fails for real.
    let small: DynamoServer;
    let smallClient: DynamoDBClient;
    let smallStore: RequestStore;
    let smallLeases: LeaseKeeper;
    beforeAll(async () => {
      small = await startDynamo({ maxItemSizeKb: 100 });
      smallClient = new DynamoDBClient({ endpoint: small.endpoint, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS, maxAttempts: 1 });
      await ensureTable(smallClient, 'worker-test');
      smallStore = new RequestStore(DynamoDBDocumentClient.from(smallClient), 'worker-test');
      smallLeases = leasesAt(small.endpoint);
    });
    afterAll(async () => {
      smallClient?.destroy();
      await small?.stop();
    });

    it('records result_too_large in one run instead of retrying the write as if the table were away', async () => {
      const item = newItem(Date.now());
      await smallStore.create(item);
      let runs = 0;
      const logs = createLogCollector();
      const result = await processRequest(
        depsWith(async () => {
          runs += 1;
          return 'r'.repeat(150_000);
        }, { store: smallStore, leases: smallLeases, log: createJsonLogger(logs.log) }),
        item.request_id,
        invocation(8000),
      );
      expect({ result, runs, refusalsRetried: refusalsRetried(logs) }).toEqual({ result: 'failed', runs: 1, refusalsRetried: [] });
      expect(await smallStore.get(item.request_id)).toMatchObject({ status: 'error', error_code: 'result_too_large' });
    });
  });

  describe('when DynamoDB becomes unreachable mid-flight', () => {
    async function storeBehindProxy() {
      const proxy = await startTcpProxy(dynamo.endpoint);
      const proxied = new DynamoDBClient({
        endpoint: proxy.url,
        region: LOCAL_REGION,
        credentials: LOCAL_CREDENTIALS,
        maxAttempts: 1,
        requestHandler: { connectionTimeout: 200, requestTimeout: 500 },
      });
      return { proxy, proxied, store: new RequestStore(DynamoDBDocumentClient.from(proxied), 'worker-test'), leases: leasesAt(proxy.url) };
    }

    it('keeps the outcome and writes it once the table is back', async () => {
      const item = await stored();
      const { proxy, proxied, store: flaky, leases: flakyLeases } = await storeBehindProxy();
      try {
        const run = processRequest(
          depsWith(async ({ signal }) => {
            proxy.cut(); // the table goes away while the work runs, and comes back 1 s later
            setTimeout(() => proxy.restore(), 1000);
            await delay(100, signal);
            return 'survived';
          }, { store: flaky, leases: flakyLeases }),
          item.request_id,
          invocation(),
        );
        expect(await run).toBe('completed');
        expect(await store.get(item.request_id)).toMatchObject({ status: 'complete', result: 'survived' });
      } finally {
        proxied.destroy();
        await proxy.stop();
      }
    });

    it('throws, so that Lambda retries the event, when the table stays away past the invocation', async () => {
      const item = await stored();
      const { proxy, proxied, store: flaky, leases: flakyLeases } = await storeBehindProxy();
      try {
        const run = processRequest(
          depsWith(async () => {
            proxy.cut();
            return 'unwritten';
          }, { store: flaky, leases: flakyLeases }),
          item.request_id,
          invocation(3000),
        );
        await expect(run).rejects.toBeInstanceOf(StorageUnavailableError);
        expect(await store.get(item.request_id)).toMatchObject({ status: 'processing', attempt: 1 });
      } finally {
        proxied.destroy();
        await proxy.stop();
      }
    });
  });
});
