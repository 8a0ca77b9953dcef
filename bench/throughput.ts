import { createClient } from '../src/client/index.js';
import type { BenchStack } from './stack.js';

export interface ThroughputFigures {
  requests: number;
  concurrency: number;
  wallMs: number;
  /** Requests submitted and seen complete by their client, per second of wall time. */
  perSecond: number;
  /** Requests whose terminal write landed, per second from the first submit to the last write. */
  serverPerSecond: number;
  completed: number;
}

/**
 * `requests` requests through the HTTP front, `concurrency` clients at a time, each submitting and
 * then waiting (long-poll) for the end. Every request must end `complete`; one that does not fails the bench.
 */
export async function measureThroughput(stack: BenchStack, requests: number, concurrency: number): Promise<ThroughputFigures> {
  const client = createClient({ baseUrl: stack.url });
  let next = 0;
  const ids: string[] = [];
  let lastWrite = 0;
  const started = Date.now();
  const startedAt = performance.now();
  const worker = async () => {
    while (next < requests) {
      const index = next;
      next += 1;
      const { request_id: requestId } = await client.submit({ prompt: `Request number ${index}. It is short. It must complete.` });
      ids.push(requestId);
      const view = await client.wait(requestId, { timeoutMs: 60_000 });
      lastWrite = Math.max(lastWrite, Date.parse(view.updated_at));
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const wallMs = performance.now() - startedAt;
  // Read every request back once more: nothing accepted may be missing or unfinished.
  const views = await Promise.all(ids.map((id) => client.get(id)));
  const completed = views.filter((view) => view.status === 'complete').length;
  if (completed !== requests) throw new Error(`throughput: ${requests - completed} of ${requests} requests did not complete`);
  return {
    requests,
    concurrency,
    wallMs,
    perSecond: requests / (wallMs / 1000),
    serverPerSecond: requests / ((lastWrite - started) / 1000),
    completed,
  };
}
