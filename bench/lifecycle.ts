import { createClient, type Client, type FetchLike, type RequestView } from '../src/client/index.js';
import type { SeenCall } from './count-proxy.js';
import type { BenchStack, Execution } from './stack.js';
import { sleep } from './stats.js';

const PROMPT = 'Serverless functions scale to zero. They are cheap when idle. Long work needs an asynchronous reply.';
/** The seed frontends' loop: ask, and if not done ask again 2 s after the answer. */
export const POLL_LOOP_MS = 2000;

export type ClientMode = 'long-poll' | 'poll-2s';

/** Everything one request cost, counted on the wire and at the Lambda service. */
export interface RequestLife {
  mode: ClientMode;
  requestId: string;
  /** Calls the client made to `GET /v1/status/{id}`. */
  statusCalls: number;
  /** From the terminal write (the item's `updated_at`) to the client holding the answer. */
  notifyDelayMs: number;
  /** DynamoDB calls by operation (UpdateItem split by kind), and Lambda Invokes by type. */
  dynamo: Record<string, number>;
  invokes: Record<string, number>;
  /** Lambda executions by kind, and their billed milliseconds. */
  executions: Record<Execution['kind'], { count: number; billedMs: number }>;
}

function countingClient(baseUrl: string): { client: Client; statusCalls: () => number } {
  let statusCalls = 0;
  const fetchCounting: FetchLike = (input, init) => {
    if ((init.method ?? 'GET') === 'GET' && input.includes('/v1/status/')) statusCalls += 1;
    return globalThis.fetch(input, init);
  };
  return { client: createClient({ baseUrl, fetch: fetchCounting }), statusCalls: () => statusCalls };
}

const isTerminal = (view: RequestView) => view.status === 'complete' || view.status === 'error';

/** Submits one request and follows it to its end the way `mode` says; `phaseMs` delays a poll loop's first look. */
async function follow(stack: BenchStack, mode: ClientMode, phaseMs: number): Promise<{ requestId: string; statusCalls: number; notifyDelayMs: number; view: RequestView }> {
  const { client, statusCalls } = countingClient(stack.url);
  const { request_id: requestId } = await client.submit({ prompt: PROMPT });
  let view: RequestView;
  if (mode === 'long-poll') {
    view = await client.wait(requestId);
  } else {
    await sleep(phaseMs);
    for (;;) {
      view = await client.get(requestId);
      if (isTerminal(view)) break;
      await sleep(POLL_LOOP_MS);
    }
  }
  const seenAt = Date.now();
  if (view.status !== 'complete') throw new Error(`request ${requestId} ended as ${view.status}: ${view.error}`);
  return { requestId, statusCalls: statusCalls(), notifyDelayMs: seenAt - Date.parse(view.updated_at), view };
}

function tally<T>(items: readonly T[], key: (item: T) => string): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const item of items) counts[key(item)] = (counts[key(item)] ?? 0) + 1;
  return counts;
}

/**
 * Runs `perMode` requests for each mode at once on `stack` (started with `count: true`) and
 * answers each request's life. Poll loops start at phases spread over one interval, as real
 * clients' would be, so their delay is not an accident of when the task happens to end.
 */
export async function runLives(stack: BenchStack, modes: readonly ClientMode[], perMode: number): Promise<RequestLife[]> {
  const runs = modes.flatMap((mode) =>
    Array.from({ length: perMode }, (_, index) => follow(stack, mode, (index * POLL_LOOP_MS) / perMode).then((life) => ({ mode, ...life }))),
  );
  const finished = await Promise.all(runs);
  // Let each worker's invocation end, so its billed duration is recorded.
  await stack.lambda.idle();
  return finished.map(({ mode, requestId, statusCalls, notifyDelayMs }) => {
    const mine = (call: SeenCall) => call.requestId === requestId;
    const executions = {} as RequestLife['executions'];
    for (const execution of stack.executions.filter((entry) => entry.requestId === requestId)) {
      const entry = (executions[execution.kind] ??= { count: 0, billedMs: 0 });
      entry.count += 1;
      entry.billedMs += execution.billedMs;
    }
    return {
      mode,
      requestId,
      statusCalls,
      notifyDelayMs,
      dynamo: tally(stack.dynamoCalls.filter(mine), (call) => call.operation),
      invokes: tally(stack.lambdaCalls.filter(mine), (call) => call.operation),
      executions,
    };
  });
}
