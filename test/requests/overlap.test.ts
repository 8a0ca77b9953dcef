import { noContinuations, workerConfig } from '../support/worker-config.js';
import { silentMetrics } from '../../src/metrics.js';
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../../src/local/stack.js';
import { silentLogger } from '../../src/log.js';
import { createLeaseKeeper } from '../../src/requests/lease.js';
import type { RequestStore } from '../../src/requests/store.js';
import { processRequest } from '../../src/requests/worker.js';
import { createTaskRegistry } from '../../src/tasks/registry.js';
import { delay } from '../../src/delay.js';
import { startTestTable, type TestTable } from '../support/table.js';
import { newItem } from './store-contract.js';

const BLOCKING_WORKER = fileURLToPath(new URL('./fixtures/blocking-worker.ts', import.meta.url));
const TABLE = 'overlap-test';
// Long enough that the lease thread, started as the task begins to block a core, renews in time on a busy two-core machine.
const LEASE_SECONDS = 4;
const BLOCK_MS = 10_000;

interface WorkerEvent {
  event: 'step' | 'result';
  at: number;
  result?: string;
}

/** Starts the blocking worker in its own process; resolves its events as they come. */
function startBlockingWorker(endpoint: string, requestId: string) {
  const child = spawn(process.execPath, ['--import', 'tsx', BLOCKING_WORKER, endpoint, TABLE, requestId, String(LEASE_SECONDS), String(BLOCK_MS)], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
  });
  const events: WorkerEvent[] = [];
  const waiters: Array<() => void> = [];
  createInterface({ input: child.stdout! }).on('line', (line) => {
    events.push(JSON.parse(line) as WorkerEvent);
    for (const wake of waiters.splice(0)) wake();
  });
  const next = async (name: WorkerEvent['event']): Promise<WorkerEvent> => {
    for (;;) {
      const found = events.find((event) => event.event === name);
      if (found) return found;
      await new Promise<void>((resolve) => waiters.push(resolve));
    }
  };
  return { events, next, kill: () => child.kill('SIGKILL') };
}

describe('two workers never run one request at once', () => {
  let table: TestTable;
  let store: RequestStore;
  beforeAll(async () => {
    table = await startTestTable(TABLE);
    store = table.store;
  });
  afterAll(() => table?.stop());

  it('keeps a late duplicate out while a task blocks the event loop past its lease', async () => {
    const item = newItem(Date.now());
    await store.create(item);
    const first = startBlockingWorker(table.endpoint, item.request_id);
    try {
      const firstStart = await first.next('step');
      // The duplicate arrives once the first worker's lease would have lapsed, while its task still blocks.
      await new Promise((resolve) => setTimeout(resolve, firstStart.at + LEASE_SECONDS * 1000 * 1.5 - Date.now()));
      const secondSteps: number[] = [];
      const end = Date.now() + 60_000;
      const second = await processRequest(
        {
          store,
          leases: createLeaseKeeper({
            tableName: TABLE,
            clientConfig: { endpoint: table.endpoint, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS },
            log: silentLogger,
          }),
          tasks: createTaskRegistry([
            {
              name: 'assess',
              description: 'works in yielding steps',
              async run({ signal }) {
                for (let step = 0; step < 5; step += 1) {
                  secondSteps.push(Date.now());
                  await delay(100, signal);
                }
                return 'duplicate run';
              },
            },
          ]),
          objects: undefined,
          config: workerConfig({ leaseSeconds: LEASE_SECONDS, progressIntervalMs: 100 }),
          dispatcher: noContinuations,
          now: Date.now,
          log: silentLogger,
          metrics: silentMetrics,
        },
        item.request_id,
        { awsRequestId: 'duplicate', invokedFunctionArn: 'arn:aws:lambda:us-east-1:000000000000:function:test', getRemainingTimeInMillis: () => end - Date.now() },
      );
      const firstResult = await first.next('result');

      const firstSteps = first.events.filter((event) => event.event === 'step').map((event) => event.at);
      const firstRun = { from: firstSteps[0]!, to: Math.max(...firstSteps, firstStart.at + BLOCK_MS) };
      const overlapping = secondSteps.filter((at) => at >= firstRun.from && at <= firstRun.to);
      expect({ overlapping, second, first: firstResult.result }).toEqual({ overlapping: [], second: 'skipped', first: 'completed' });
      expect(await store.get(item.request_id)).toMatchObject({ status: 'complete', result: 'blocking run', attempt: 1 });
    } finally {
      first.kill();
    }
  });
});
