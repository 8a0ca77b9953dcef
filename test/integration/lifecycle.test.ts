import { afterEach, describe, expect, it } from 'vitest';
import type { Stack } from '../../src/local/stack.js';
import type { Task } from '../../src/tasks/task.js';
import { MAX_WAIT_SECONDS } from '../../src/contract.js';
import { delay } from '../../src/delay.js';
import { createTaskRegistry } from '../../src/tasks/registry.js';
import { call, pollUntilTerminal, status, submit } from '../support/http.js';
import { readItem } from '../support/items.js';
import { closedPortUrl } from '../support/ports.js';
import { createTestClock, startTestStack } from '../support/stack.js';
import { waitFor } from '../support/wait-for.js';

const PROMPT = 'Long work behind a short gateway. The client polls for the result.';
/** Longer than any test may run (vitest's timeout is 60 s). */
const LONGER_THAN_THE_TEST_MS = 10 * 60_000;

let stack: Stack | undefined;
afterEach(async () => {
  await stack?.stop();
  stack = undefined;
});

async function pollUntilProcessing(target: Stack, requestId: string): Promise<void> {
  await waitFor(async () => ((await status(target.url, requestId)).body.progress !== undefined ? true : undefined), { intervalMs: 20 });
}

/** A task that counts its runs and waits until its signal fires or `ms` pass. */
function countingTask(ms: number) {
  const runs: string[] = [];
  const aborts: unknown[] = [];
  const task: Task = {
    name: 'assess',
    description: 'test task',
    async run({ input, signal, reportProgress }) {
      runs.push(input.prompt);
      reportProgress({ percent: 10, message: 'started' });
      try {
        await delay(ms, signal);
      } catch (reason) {
        aborts.push(reason);
        throw reason;
      }
      return { echoed: input.prompt };
    },
  };
  return { runs, aborts, tasks: createTaskRegistry([task]) };
}

describe('the 29 s gateway cut', () => {
  it('completes work longer than the cut while every HTTP call returns well before it', async () => {
    const gatewayTimeoutMs = 3000;
    stack = await startTestStack({ gatewayTimeoutMs, env: { DEMO_TASK_MS: '4000' } });

    const accepted = await submit(stack.url, { prompt: PROMPT });
    const { final, responses } = await pollUntilTerminal(stack.url, accepted.body.request_id, { intervalMs: 200 });

    expect(final.body.status).toBe('complete');
    // The front answers 504 to a call that outlasts its cut: it, not the test's clock, is the judge.
    const calls = [accepted, ...responses];
    expect(calls.map((response) => response.status).filter((code) => code === 504)).toEqual([]);
    expect(Date.parse(final.body.updated_at) - Date.parse(final.body.created_at)).toBeGreaterThan(gatewayTimeoutMs);
  });

  it('answers 504 when a call itself outlasts the cut, as API Gateway does', async () => {
    const { tasks } = countingTask(5000);
    stack = await startTestStack({ gatewayTimeoutMs: 300, handlerOverrides: { tasks } });
    const accepted = await submit(stack.url, { prompt: PROMPT });
    // Within the cut while the request changes; then the task goes quiet and a held call outlasts the cut.
    await pollUntilProcessing(stack, accepted.body.request_id);
    const held = await status(stack.url, accepted.body.request_id, '?wait=2');
    expect(held.status).toBe(504);
    expect(held.body).toEqual({ message: 'Endpoint request timed out' });
  });
});

describe('a throttled function', () => {
  it('answers 500 Internal server error with CORS, as API Gateway does when Lambda refuses with 429', async () => {
    const { tasks } = countingTask(3000);
    stack = await startTestStack({ concurrency: 1, handlerOverrides: { tasks } });
    const accepted = await submit(stack.url, { prompt: PROMPT });
    // The worker now holds the only execution slot, so the next synchronous invoke is throttled.
    let throttled;
    for (let tries = 0; tries < 50 && throttled === undefined; tries += 1) {
      const response = await status(stack.url, accepted.body.request_id);
      if (response.status === 500) throttled = response;
      else await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(throttled?.body).toEqual({ message: 'Internal server error' });
    expect(throttled?.headers.get('access-control-allow-origin')).toBe('*');
  });
});

describe('dispatch failure', () => {
  it('answers 503 with Retry-After when the self-invoke fails, leaves nothing behind, and a retry with the same key works', async () => {
    stack = await startTestStack();
    stack.lambda.faults.rejectInvokes = 3; // the SDK tries three times

    const refused = await submit(stack.url, { prompt: PROMPT }, { 'Idempotency-Key': 'dispatch-1' });
    expect(refused.status).toBe(503);
    expect(refused.headers.get('retry-after')).toBe('2');
    expect(refused.body).toMatchObject({ error_code: 'dispatch_unavailable', reference: expect.any(String) });
    expect(refused.text).not.toContain('ServiceException');

    const retried = await submit(stack.url, { prompt: PROMPT }, { 'Idempotency-Key': 'dispatch-1' });
    expect(retried.status).toBe(202);
    expect(retried.headers.get('idempotent-replayed')).toBeNull();
    expect((await pollUntilTerminal(stack.url, retried.body.request_id)).final.body.status).toBe('complete');
  });

  it('rides out one failed invoke through the SDK retry', async () => {
    stack = await startTestStack();
    stack.lambda.faults.rejectInvokes = 1;
    const accepted = await submit(stack.url, { prompt: PROMPT });
    expect(accepted.status).toBe(202);
    expect(stack.lambda.faults.rejectInvokes).toBe(0); // the one refusal was met, and retried past
    expect((await pollUntilTerminal(stack.url, accepted.body.request_id)).final.body.status).toBe('complete');
  });

  it('answers 503 when the Invoke endpoint refuses connections, and removes the stored request', async () => {
    stack = await startTestStack({ env: { LAMBDA_ENDPOINT: await closedPortUrl() } });
    const refused = await submit(stack.url, { prompt: PROMPT }, { 'Idempotency-Key': 'gone-1' });
    expect(refused.status).toBe(503);
    expect(refused.headers.get('retry-after')).toBe('2');
    expect(refused.text).not.toContain('ECONNREFUSED');
    const { requestIdForKey } = await import('../../src/requests/idempotency.js');
    expect(await readItem(stack, requestIdForKey(stack.config.requestIdSecret, '', 'gone-1'))).toBeUndefined();
  });
});

describe('storage unavailable', () => {
  it('answers 503 with Retry-After on submit and status, and leaks nothing', async () => {
    stack = await startTestStack();
    const accepted = await submit(stack.url, { prompt: PROMPT });
    await pollUntilTerminal(stack.url, accepted.body.request_id);
    await stack.dynamo.stop();

    const submitted = await submit(stack.url, { prompt: PROMPT });
    const read = await status(stack.url, accepted.body.request_id);
    for (const response of [submitted, read]) {
      expect(response.status).toBe(503);
      expect(response.headers.get('retry-after')).toBe('2');
      expect(response.headers.get('access-control-allow-origin')).toBe('*');
      expect(response.text).not.toMatch(/ECONNREFUSED|127\.0\.0\.1|DynamoDB/);
    }
  });
});

describe('idempotency keys', () => {
  it('returns the same request for the same key and body, and runs the work once', async () => {
    const { runs, tasks } = countingTask(100);
    stack = await startTestStack({ handlerOverrides: { tasks } });
    const first = await submit(stack.url, { prompt: 'once' }, { 'Idempotency-Key': 'k-1' });
    const second = await submit(stack.url, { prompt: 'once' }, { 'Idempotency-Key': 'k-1' });

    expect(first.status).toBe(202);
    expect(second.status).toBe(202);
    expect(second.body.request_id).toBe(first.body.request_id);
    expect(second.headers.get('idempotent-replayed')).toBe('true');
    await pollUntilTerminal(stack.url, first.body.request_id);
    await stack.lambda.idle();
    expect(runs).toEqual(['once']);
  });

  it('answers 422 when the key comes back with a different body', async () => {
    stack = await startTestStack();
    await submit(stack.url, { prompt: 'first' }, { 'Idempotency-Key': 'k-2' });
    const conflict = await submit(stack.url, { prompt: 'second' }, { 'Idempotency-Key': 'k-2' });
    expect(conflict.status).toBe(422);
    expect(conflict.body).toMatchObject({ error_code: 'idempotency_key_reused', field: 'Idempotency-Key' });
  });
});

describe('cancel', () => {
  it('ends a running request as error/cancelled, fires the worker signal, and keeps it so', async () => {
    // A task that would outlast the test: only the cancel's signal can end its invocation.
    const { runs, aborts, tasks } = countingTask(LONGER_THAN_THE_TEST_MS);
    stack = await startTestStack({ handlerOverrides: { tasks } });
    const accepted = await submit(stack.url, { prompt: 'cancel me' });
    const id = accepted.body.request_id;
    await pollUntilProcessing(stack, id);

    const cancelled = await call(stack.url, 'DELETE', `/v1/status/${id}`);
    expect(cancelled.status).toBe(202);
    expect(cancelled.body).toMatchObject({ status: 'error', error_code: 'cancelled' });

    await stack.lambda.idle();
    expect(runs).toHaveLength(1);
    expect(aborts).toEqual([{ kind: 'superseded' }]);
    expect((await status(stack.url, id)).body).toMatchObject({ status: 'error', error_code: 'cancelled' });
    expect((await readItem(stack, id))?.result).toBeUndefined();
  });

  it('ends a pending request at once, so the work never starts', async () => {
    const { runs, tasks } = countingTask(100);
    stack = await startTestStack({ handlerOverrides: { tasks } });
    stack.lambda.faults.eventDelayMs = 300;
    const accepted = await submit(stack.url, { prompt: 'never run' });
    const cancelled = await call(stack.url, 'DELETE', `/v1/status/${accepted.body.request_id}`);
    expect(cancelled.status).toBe(202);
    await stack.lambda.idle();
    expect(runs).toEqual([]);
  });

  it('answers 409 for a terminal request and 404 for an unknown one', async () => {
    stack = await startTestStack();
    const accepted = await submit(stack.url, { prompt: PROMPT });
    await pollUntilTerminal(stack.url, accepted.body.request_id);
    const late = await call(stack.url, 'DELETE', `/v1/status/${accepted.body.request_id}`);
    expect(late.status).toBe(409);
    expect(late.body.error_code).toBe('already_terminal');
    const unknown = await call(stack.url, 'DELETE', '/v1/status/00000000-0000-4000-8000-000000000000');
    expect(unknown.status).toBe(404);
  });
});

describe('expiry and deadlines', () => {
  it('reads a request past its TTL as 404 while DynamoDB still holds the item', async () => {
    const clock = createTestClock();
    stack = await startTestStack({ env: { REQUEST_TTL_SECONDS: '7200' }, handlerOverrides: { now: clock.now } });
    const accepted = await submit(stack.url, { prompt: PROMPT });
    await pollUntilTerminal(stack.url, accepted.body.request_id);

    clock.advance(7200 * 1000);
    const expired = await status(stack.url, accepted.body.request_id);
    const unknown = await status(stack.url, '00000000-0000-4000-8000-000000000000');
    expect(expired.status).toBe(404);
    expect(expired.body).toEqual(unknown.body);
    expect(await readItem(stack, accepted.body.request_id)).toBeDefined();
  });

  it('ends a request whose event never arrives as error/deadline_exceeded once its deadline passes, and writes it', async () => {
    const clock = createTestClock();
    stack = await startTestStack({ env: { REQUEST_DEADLINE_SECONDS: '60', WORKER_LEASE_SECONDS: '10' }, handlerOverrides: { now: clock.now } });
    stack.lambda.faults.dropEvents = true;
    const accepted = await submit(stack.url, { prompt: PROMPT });
    expect((await status(stack.url, accepted.body.request_id)).body.status).toBe('pending');

    clock.advance(61_000);
    const read = await status(stack.url, accepted.body.request_id);
    expect(read.body).toMatchObject({ status: 'error', error_code: 'deadline_exceeded' });
    expect(read.body.error).toMatch(/deadline/);
    expect(await readItem(stack, accepted.body.request_id)).toMatchObject({ status: 'error', error_code: 'deadline_exceeded' });
  });

  it('ends a request whose only worker lost its lease as error/worker_lost', async () => {
    const { tasks } = countingTask(60_000);
    const clock = createTestClock();
    stack = await startTestStack({ env: { MAX_ATTEMPTS: '1', WORKER_LEASE_SECONDS: '30' }, handlerOverrides: { tasks, now: clock.now } });
    const accepted = await submit(stack.url, { prompt: 'stuck' });
    await pollUntilProcessing(stack, accepted.body.request_id);

    clock.advance(31_000); // the lease runs out and the worker has not renewed it
    const read = await status(stack.url, accepted.body.request_id);
    expect(read.body).toMatchObject({ status: 'error', error_code: 'worker_lost' });
    expect(await readItem(stack, accepted.body.request_id)).toMatchObject({ status: 'error', error_code: 'worker_lost' });
  });
});

describe('long-poll', () => {
  it('holds a status call until the request changes, and answers a terminal one at once', async () => {
    stack = await startTestStack({ env: { DEMO_TASK_MS: '2000' } });
    const accepted = await submit(stack.url, { prompt: PROMPT });
    // The longest wait: a call that ends sooner was answered by a change, not by its wait running out.
    const wait = `?wait=${MAX_WAIT_SECONDS}`;
    const first = await status(stack.url, accepted.body.request_id, wait);
    const second = await status(stack.url, accepted.body.request_id, wait);
    expect(second.body.progress?.percent ?? -1).not.toBe(first.body.progress?.percent ?? -1);
    expect(second.elapsedMs).toBeLessThan(MAX_WAIT_SECONDS * 1000);

    const { final } = await pollUntilTerminal(stack.url, accepted.body.request_id, { intervalMs: 100 });
    const again = await status(stack.url, accepted.body.request_id, wait);
    expect(again.body).toEqual(final.body);
    expect(again.elapsedMs).toBeLessThan(MAX_WAIT_SECONDS * 1000);
  });

  // Every bad value is a unit test of waitSeconds (test/http/status-route.test.ts); this is the answer over real sockets.
  it('refuses wait=26 with 400 naming the field', async () => {
    stack = await startTestStack();
    const accepted = await submit(stack.url, { prompt: PROMPT });
    const response = await status(stack.url, accepted.body.request_id, '?wait=26');
    expect(response.status).toBe(400);
    expect(response.body.field).toBe('wait');
  });
});
