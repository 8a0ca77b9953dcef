import { createServer } from 'node:http';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { Webhook } from 'standardwebhooks';
import { createDocumentClient, sdkConfig } from '../src/aws-clients.js';
import type { Env } from '../src/config.js';
import { LOCAL_CREDENTIALS, LOCAL_REGION, startStack, type Stack } from '../src/local/stack.js';
import { silentLogger } from '../src/log.js';
import { silentMetrics } from '../src/metrics.js';
import type { StoredRequest } from '../src/requests/model.js';
import { submit, until } from './requests.js';
import { sleep } from './stats.js';

const PROMPT = 'A lost event costs a minute, not the deadline. The sweeper finds it.';

function reader(stack: Stack) {
  const client = createDocumentClient(sdkConfig({ region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS, endpoint: stack.dynamo.endpoint }));
  return {
    get: async (id: string) =>
      (await client.send(new GetCommand({ TableName: stack.config.tableName, Key: { request_id: id }, ConsistentRead: true }))).Item as StoredRequest | undefined,
    destroy: () => client.destroy(),
  };
}

export interface DroppedEvents {
  requests: number;
  completed: number;
  /** From each submit to its terminal write. */
  endMs: number[];
  graceMs: number;
  intervalMs: number;
  taskMs: number;
}

/**
 * Every dispatch lost (the async queue drops the next `requests` events), the schedule sweeping
 * every `intervalMs`: how long until each request is complete, all through the sweeper's re-dispatch.
 */
export async function measureDroppedEvents(env: Env, requests: number, intervalMs: number): Promise<DroppedEvents> {
  const graceSeconds = 1;
  const taskMs = 200;
  const stack = await startStack({
    env: { ...env, SWEEP_GRACE_SECONDS: String(graceSeconds), DEMO_TASK_MS: String(taskMs) },
    handlerOverrides: { log: silentLogger, metrics: silentMetrics },
  });
  const table = reader(stack);
  try {
    stack.lambda.faults.dropNextEvents = requests;
    const submitted = await Promise.all(Array.from({ length: requests }, async (_, index) => ({ id: await submit(stack.url, { prompt: `${PROMPT} ${index}` }), at: Date.now() })));
    const schedule = setInterval(() => stack.sweep(), intervalMs);
    try {
      const ends = await Promise.all(
        submitted.map(({ id, at }) =>
          until(async () => {
            const item = await table.get(id);
            return item?.status === 'complete' ? Date.parse(item.updated_at) - at : undefined;
          }, 60_000),
        ),
      );
      return { requests, completed: ends.length, endMs: ends, graceMs: graceSeconds * 1000, intervalMs, taskMs };
    } finally {
      clearInterval(schedule);
    }
  } finally {
    table.destroy();
    await stack.stop();
  }
}

export interface KilledWorker {
  runs: number;
  /** From the dead worker's lease end (when worker_lost became true) to the terminal write. */
  endedMs: number[];
  /** From the lease end to the receiver holding the signed webhook. */
  webhookMs: number[];
  intervalMs: number;
}

/**
 * A worker killed mid-task with no attempt left and no Lambda retry, the schedule sweeping every
 * `intervalMs`: how long after its lease ran out the request is ended and its webhook received.
 */
export async function measureKilledWorker(env: Env, bundle: string, runs: number, intervalMs: number): Promise<KilledWorker> {
  const arrivals = new Map<string, number>();
  const stack = await startStack({
    env: { ...env, WORKER_LEASE_SECONDS: '1', DEMO_TASK_MS: '60000', MAX_ATTEMPTS: '1' },
    runtime: 'sandbox',
    sandboxModule: bundle,
    asyncRetry: { retries: 0, delaysMs: [] },
    sweepIntervalMs: intervalMs,
  });
  const verifier = new Webhook(stack.config.webhookSecret!);
  const receiver = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
    request.on('end', () => {
      const at = Date.now();
      const event = verifier.verify(body, request.headers as Record<string, string>) as { data: { request_id: string } };
      arrivals.set(event.data.request_id, at);
      response.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  const callbackUrl = `http://127.0.0.1:${(receiver.address() as { port: number }).port}/hook`;
  const table = reader(stack);
  const result: KilledWorker = { runs, endedMs: [], webhookMs: [], intervalMs };
  try {
    for (let run = 0; run < runs; run += 1) {
      const id = await submit(stack.url, { prompt: PROMPT, callback_url: callbackUrl });
      await until(async () => ((await table.get(id))?.status === 'processing' ? true : undefined), 30_000);
      await sleep(300); // the lease thread has started renewing
      stack.sandbox!.killAll();
      const leaseEnd = (await table.get(id))!.lease_until;
      const arrived = await until(async () => arrivals.get(id), 30_000);
      const ended = await table.get(id);
      if (ended?.error_code !== 'worker_lost') throw new Error(`request ${id} ended as ${ended?.status}/${ended?.error_code}`);
      result.endedMs.push(Date.parse(ended.updated_at) - leaseEnd);
      result.webhookMs.push(arrived - leaseEnd);
    }
    return result;
  } finally {
    table.destroy();
    await new Promise<void>((resolve) => receiver.close(() => resolve()));
    await stack.stop();
  }
}

export interface IdleSweep {
  runs: number;
  /** Billed duration of each warm run, from the Lambda service's REPORT lines. */
  warmBilledMs: number[];
  /** Log bytes a warm run writes: the function's lines and Lambda's START, END and REPORT. */
  logBytes: number[];
}

/** Sweeps of an empty table, as most minutes' runs are: what one costs in billed time and log bytes. */
export async function measureIdleSweep(env: Env, bundle: string, runs: number): Promise<IdleSweep> {
  const lines: string[] = [];
  const stack = await startStack({ env, runtime: 'sandbox', sandboxModule: bundle, log: (line) => lines.push(line) });
  const result: IdleSweep = { runs, warmBilledMs: [], logBytes: [] };
  try {
    for (let run = 0; run <= runs; run += 1) {
      lines.length = 0;
      stack.sweep();
      await stack.lambda.idle();
      const report = lines.find((line) => line.startsWith('REPORT'));
      if (report === undefined) throw new Error(`no REPORT line for a sweep: ${lines.join('\n')}`);
      if (run === 0) continue; // the cold start
      result.warmBilledMs.push(Number(/Billed Duration: (\d+) ms/.exec(report)?.[1]));
      result.logBytes.push(lines.reduce((bytes, line) => bytes + Buffer.byteLength(line) + 1, 0));
    }
    return result;
  } finally {
    await stack.stop();
  }
}
