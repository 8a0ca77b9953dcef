import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { call, pollUntilTerminal, submitAccepted } from '../support/http.js';
import { readItem } from '../support/items.js';
import { ensureBuilt } from '../support/stack.js';
import { waitFor } from '../support/wait-for.js';
import { LEASE_SECONDS, PROMPT, RETRY_AFTER_LEASE, startPipelineStack, stopPipelineStack, stopPipelineStacks } from './pipeline-stack.js';

afterEach(stopPipelineStacks);

/** The pipeline's result for PROMPT, run in one invocation with nothing going wrong. */
async function uninterrupted(): Promise<unknown> {
  const { stack, message } = await startPipelineStack({ env: { DEMO_TASK_MS: '500' } });
  const id = await submitAccepted(stack.url, { prompt: PROMPT, task: 'pipeline' });
  const { final } = await pollUntilTerminal(stack.url, id);
  expect(final.body.status, JSON.stringify(final.body)).toBe('complete');
  expect(message('continues in a fresh invocation')).toHaveLength(0);
  await stopPipelineStack(stack);
  return final.body.result;
}

describe('durable steps and continuations', () => {
  let expected: unknown;
  beforeAll(async () => {
    ensureBuilt();
    expected = await uninterrupted();
  });

  it('completes a job twice as long as the function timeout, one invocation per step', async () => {
    // Five 2 s steps (10 s of work) under a 5 s function timeout: each step fits one invocation, the job does not.
    const { stack, logs, message, runsPerStep } = await startPipelineStack({ lambdaTimeoutMs: 5000, env: { DEMO_TASK_MS: '10000' } });
    const id = await submitAccepted(stack.url, { prompt: PROMPT, task: 'pipeline' });

    const { final } = await pollUntilTerminal(stack.url, id, { timeoutMs: 60_000 });

    expect(final.body.status, JSON.stringify(final.body)).toBe('complete');
    expect(final.body.result).toEqual(expected);
    expect(final.body.step).toEqual({ name: 'assemble', index: 5, count: 5 });
    const workers = message('claimed');
    expect(workers).toHaveLength(5); // the first dispatch and four continuations
    expect(message('continues in a fresh invocation')).toHaveLength(4);
    // Each continuation is counted in the metrics (an Embedded Metric Format line), none as a failure.
    expect(logs.lines.filter((line) => line.includes('"Continued":1'))).toHaveLength(4);
    expect(logs.lines.filter((line) => line.includes('"Failed":'))).toHaveLength(0);
    expect(runsPerStep()).toEqual({ outline: 1, keywords: 1, count: 1, summary: 1, assemble: 1 });
    const item = await readItem(stack, id);
    // Continuations are not failed attempts: five claims, and the budget grew with each hand-back.
    expect(item).toMatchObject({ attempt: 5, max_attempts: 3 + 4, continuations: 4 });
    expect(logs.lines.filter((line) => line.includes('Sandbox.Timedout'))).toHaveLength(0);
  });

  it('resumes a worker killed during step 3 of 5 at step 3: steps 1 and 2 never run again', async () => {
    const { stack, message, runsPerStep } = await startPipelineStack({
      asyncRetry: RETRY_AFTER_LEASE,
      env: { DEMO_TASK_MS: '5000', WORKER_LEASE_SECONDS: String(LEASE_SECONDS) },
    });
    const id = await submitAccepted(stack.url, { prompt: PROMPT, task: 'pipeline' });
    await waitFor(() => (message('step started').some((line) => line.step === 'count') ? true : undefined));

    expect(stack.sandbox!.killAll()).toBe(1);
    const { final } = await pollUntilTerminal(stack.url, id, { timeoutMs: 30_000 });

    expect(final.body.status, JSON.stringify(final.body)).toBe('complete');
    expect(final.body.result).toEqual(expected);
    expect(runsPerStep()).toEqual({ outline: 1, keywords: 1, count: 2, summary: 1, assemble: 1 });
    expect(message('step replayed').map((line) => line.step)).toEqual(['outline', 'keywords']);
    expect((await readItem(stack, id))?.attempt).toBe(2);
  });

  it('runs one worker, and no step twice, when every continuation event is delivered twice', async () => {
    // Invocations long enough for a duplicate to watch the live worker's lease and see it renewed.
    const { stack, message, runsPerStep } = await startPipelineStack({
      lambdaTimeoutMs: 8000,
      env: { DEMO_TASK_MS: '5000', WORKER_LEASE_SECONDS: String(LEASE_SECONDS) },
    });
    stack.lambda.faults.deliveriesPerEvent = 2;
    const id = await submitAccepted(stack.url, { prompt: PROMPT, task: 'pipeline' });

    const { final } = await pollUntilTerminal(stack.url, id, { timeoutMs: 30_000 });
    await stack.lambda.idle();

    expect(final.body.status, JSON.stringify(final.body)).toBe('complete');
    expect(final.body.result).toEqual(expected);
    expect(runsPerStep()).toEqual({ outline: 1, keywords: 1, count: 1, summary: 1, assemble: 1 });
    // Five events (the first and four continuations), each delivered twice: one delivery of each ran.
    expect(message('claimed').map((line) => line.attempt)).toEqual([1, 2, 3, 4, 5]);
    expect(message('not claimed')).toHaveLength(5);
  });

  it('ends a continuation chain that passes the deadline as deadline_exceeded', async () => {
    // Five 1 s steps, one per invocation: 5 s of steps alone reach the 5 s deadline, so it falls in the chain.
    const { stack, message } = await startPipelineStack({
      lambdaTimeoutMs: 4000,
      env: { DEMO_TASK_MS: '5000', REQUEST_DEADLINE_SECONDS: '5', WORKER_LEASE_SECONDS: String(LEASE_SECONDS) },
    });
    const id = await submitAccepted(stack.url, { prompt: PROMPT, task: 'pipeline' });

    const { final } = await pollUntilTerminal(stack.url, id, { timeoutMs: 30_000 });

    expect(final.body).toMatchObject({ status: 'error', error_code: 'deadline_exceeded' });
    expect(message('continues in a fresh invocation').length).toBeGreaterThanOrEqual(1);
  });

  it('ends a request cancelled between two invocations as cancelled, and runs nothing after', async () => {
    const { stack, message } = await startPipelineStack({ lambdaTimeoutMs: 4000, env: { DEMO_TASK_MS: '5000' } });
    const id = await submitAccepted(stack.url, { prompt: PROMPT, task: 'pipeline' });
    // The continuation's event is slow to arrive: the request waits, pending, between invocations.
    await waitFor(() => (message('step started').length === 1 ? true : undefined));
    stack.lambda.faults.eventDelayMs = 1500;
    await waitFor(async () => ((await readItem(stack, id))?.status === 'pending' ? true : undefined), { timeoutMs: 10_000 });
    const started = message('step started').length;

    const cancelled = await call(stack.url, 'DELETE', `/v1/status/${id}`);
    await stack.lambda.idle();

    expect(cancelled.body).toMatchObject({ status: 'error', error_code: 'cancelled' });
    expect(message('step started')).toHaveLength(started);
    expect(message('not claimed').length).toBeGreaterThanOrEqual(1);
    expect((await readItem(stack, id))?.status).toBe('error');
  });
});
