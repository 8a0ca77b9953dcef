import { createClient } from '../src/client/index.js';
import type { StreamEvent } from '../src/contract.js';
import { silentLogger } from '../src/log.js';
import { silentMetrics } from '../src/metrics.js';
import { startStack } from '../src/local/stack.js';
import { delay } from '../src/delay.js';
import { createTaskRegistry } from '../src/tasks/registry.js';
import type { Task } from '../src/tasks/task.js';
import { startTcpProxy } from '../test/support/tcp-proxy.js';
import { percentile } from './stats.js';

const TABLE = 'bench-live-output';
/** A token every this many ms, as a fast model writes them. */
const TOKEN_MS = 20;

/** Emits its own clock reading as each token, so the client can tell how long each took to arrive. */
function stampTask(tokens: number): Task<'draft'> {
  return {
    name: 'draft',
    description: 'timestamps as tokens',
    async run({ emit, signal }) {
      for (let index = 0; index < tokens; index += 1) {
        await delay(TOKEN_MS, signal);
        emit(`${Date.now()};`);
      }
      return { tokens };
    },
  };
}

export interface EmitLatency {
  tokens: number;
  p50Ms: number;
  p99Ms: number;
  /** Output writes (chunks) a second while the task emitted. */
  writesPerSecond: number;
}

/** Emit to client over the local front's real stream: each token's clock reading against when the client read it. */
export async function measureEmitToClient(tokens: number): Promise<EmitLatency> {
  const stack = await startStack({
    env: { REQUESTS_TABLE: TABLE },
    handlerOverrides: { log: silentLogger, metrics: silentMetrics, tasks: createTaskRegistry([stampTask(tokens)]) },
  });
  try {
    const client = createClient({ baseUrl: stack.url });
    const { request_id: id } = await client.submit({ prompt: 'stamps', task: 'draft' });
    const latencies: number[] = [];
    let chunks = 0;
    let first: number | undefined;
    let last = 0;
    for await (const event of client.events(id)) {
      if (event.event !== 'output') continue;
      const now = Date.now();
      chunks += 1;
      for (const stamp of event.data.text.split(';').filter(Boolean).map(Number)) {
        first ??= stamp;
        last = Math.max(last, stamp);
        latencies.push(now - stamp);
      }
    }
    return { tokens: latencies.length, p50Ms: percentile(latencies, 50), p99Ms: percentile(latencies, 99), writesPerSecond: chunks / Math.max(1, (last - (first ?? last)) / 1000) };
  } finally {
    await stack.stop();
  }
}

export interface BigStream {
  bytes: number;
  disconnects: number;
  killed: number;
  identical: boolean;
  gaplessSeqs: boolean;
}

/**
 * A 1 MB draft (long words, so 300 tokens make a megabyte) streamed to a client whose connection
 * is cut five times, while its worker is killed once mid-stream (the built bundle in sandboxes,
 * Lambda's retry taking over): the client's text against the result.
 */
export async function measureBigStream(bundle: string): Promise<BigStream> {
  const word = (index: number) => `${String(index).padStart(3, '0')}${'x'.repeat(3300)}`;
  const prompt = Array.from({ length: 30 }, (_, index) => word(index)).join(' ');
  const stack = await startStack({
    env: { REQUESTS_TABLE: TABLE, DEMO_TASK_MS: '12000', WORKER_LEASE_SECONDS: '3' },
    runtime: 'sandbox',
    sandboxModule: bundle,
    asyncRetry: { retries: 2, delaysMs: [3500, 3500] },
  });
  const proxy = await startTcpProxy(stack.url);
  try {
    const client = createClient({ baseUrl: proxy.url, retry: { baseMs: 20, maxMs: 200 } });
    const { request_id: id } = await client.submit({ prompt, task: 'draft' });
    const events: StreamEvent[] = [];
    let disconnects = 0;
    let killed = 0;
    for await (const event of client.events(id)) {
      events.push(event);
      if (event.event !== 'output') continue;
      if (event.data.seq === 6 && killed === 0) killed = stack.sandbox!.killAll();
      if (event.data.seq % 4 === 0 && disconnects < 5) {
        disconnects += 1;
        proxy.cut();
        proxy.restore();
      }
    }
    const output = events.flatMap((event) => (event.event === 'output' ? [event.data] : []));
    const text = output.map((chunk) => chunk.text).join('');
    const final = await client.wait<{ text: string }>(id);
    return {
      bytes: Buffer.byteLength(text),
      disconnects,
      killed,
      identical: text === final.result.text,
      gaplessSeqs: output.every((chunk, index) => chunk.seq === index + 1),
    };
  } finally {
    await proxy.stop();
    await stack.stop();
  }
}
