import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Stack, StackOptions } from '../../src/local/stack.js';
import { call, pollUntilTerminal, submitAccepted } from '../support/http.js';
import { readItem } from '../support/items.js';
import { createLogCollector, type LogCollector } from '../support/logs.js';
import { ensureBuilt, startTestStack } from '../support/stack.js';
import { waitFor } from '../support/wait-for.js';

const PROMPT =
  'Durable steps keep what a crash would lose. Each step is checkpointed before the next begins. ' +
  'A continuation picks up where the last invocation stopped. Long work then outlives any one function timeout.';
const STEPS = ['outline', 'keywords', 'count', 'summary', 'assemble'];
/** Lambda's retries, shortened but kept past a 1 s lease so a retry can take over. */
const RETRY_AFTER_LEASE = { retries: 2, delaysMs: [1500, 1500] };
// Every function timeout below leaves a step at most half of it (a step is a fifth of DEMO_TASK_MS):
// the rest is for the claim, the checkpoint's write and a loaded machine's delays. A step that
// does not fit, checkpoint included, ends the request as `timeout` before any step is kept, as it
// did under load when steps took all but the worker's 0.5 s safety margin.

let stack: Stack | undefined;
let logs: LogCollector;
afterEach(async () => {
  await stack?.stop();
  stack = undefined;
});

/** The built bundle in sandboxes: each invocation a process of its own, killable, with its own timeout. */
async function start(options: Partial<StackOptions> = {}): Promise<Stack> {
  logs = createLogCollector();
  stack = await startTestStack({ runtime: 'sandbox', log: logs.log, ...options, env: { PROGRESS_INTERVAL_MS: '100', ...options.env } });
  return stack;
}

const message = (name: string) => logs.messages(name);
/** How many times each step's function ran (not replayed), by name. */
const runsPerStep = () => Object.fromEntries(STEPS.map((name) => [name, message('step started').filter((line) => line.step === name).length]));

/** The pipeline's result for PROMPT, run in one invocation with nothing going wrong. */
async function uninterrupted(): Promise<unknown> {
  const clean = await start({ env: { DEMO_TASK_MS: '500' } });
  const id = await submitAccepted(clean.url, { prompt: PROMPT, task: 'pipeline' });
  const { final } = await pollUntilTerminal(clean.url, id);
  expect(final.body.status, JSON.stringify(final.body)).toBe('complete');
  expect(message('continues in a fresh invocation')).toHaveLength(0);
  await clean.stop();
  stack = undefined;
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
    const stack = await start({ lambdaTimeoutMs: 5000, env: { DEMO_TASK_MS: '10000' } });
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
    const stack = await start({ asyncRetry: RETRY_AFTER_LEASE, env: { DEMO_TASK_MS: '5000', WORKER_LEASE_SECONDS: '1' } });
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
    // Invocations long enough for a duplicate to watch the live worker's 1 s lease and see it renewed.
    const stack = await start({ lambdaTimeoutMs: 8000, env: { DEMO_TASK_MS: '5000', WORKER_LEASE_SECONDS: '1' } });
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
    // Five 1.5 s steps, one per invocation: the deadline at 5 s falls in the fourth.
    const stack = await start({ lambdaTimeoutMs: 4000, env: { DEMO_TASK_MS: '7500', REQUEST_DEADLINE_SECONDS: '5', WORKER_LEASE_SECONDS: '1' } });
    const id = await submitAccepted(stack.url, { prompt: PROMPT, task: 'pipeline' });

    const { final } = await pollUntilTerminal(stack.url, id, { timeoutMs: 30_000 });

    expect(final.body).toMatchObject({ status: 'error', error_code: 'deadline_exceeded' });
    expect(message('continues in a fresh invocation').length).toBeGreaterThanOrEqual(1);
  });

  it('ends a request cancelled between two invocations as cancelled, and runs nothing after', async () => {
    const stack = await start({ lambdaTimeoutMs: 4000, env: { DEMO_TASK_MS: '5000' } });
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

describe('long chains of continuations and Lambda loop detection', () => {
  beforeAll(() => ensureBuilt());

  it('leaves the continuation after CONTINUATION_CHAIN_MAX direct ones to the sweeper, which starts a new chain', async () => {
    const stack = await start({ lambdaTimeoutMs: 4000, sweepIntervalMs: 300, env: { DEMO_TASK_MS: '5000', CONTINUATION_CHAIN_MAX: '2' } });
    const id = await submitAccepted(stack.url, { prompt: PROMPT, task: 'pipeline' });

    const { final } = await pollUntilTerminal(stack.url, id, { timeoutMs: 30_000 });

    expect(final.body.status, JSON.stringify(final.body)).toBe('complete');
    expect(message('continues in a fresh invocation').map((line) => line.dispatched)).toEqual([true, true, false, true]);
    expect(message('re-dispatched a request: a continuation no worker claimed, or one left to the sweeper')).toHaveLength(1);
    expect(logs.lines.filter((line) => line.startsWith('RecursiveInvocationException'))).toHaveLength(0);
  });

  it('finishes a chain Lambda stopped (a limit set lower here, to see it), through the sweeper', async () => {
    const stack = await start({ lambdaTimeoutMs: 4000, sweepIntervalMs: 300, recursionLimit: 4, env: { DEMO_TASK_MS: '5000', SWEEP_GRACE_SECONDS: '1' } });
    const id = await submitAccepted(stack.url, { prompt: PROMPT, task: 'pipeline' });

    const { final } = await pollUntilTerminal(stack.url, id, { timeoutMs: 30_000 });

    expect(final.body.status, JSON.stringify(final.body)).toBe('complete');
    expect(logs.lines.filter((line) => line.startsWith('RecursiveInvocationException')).length).toBeGreaterThanOrEqual(1);
    expect(runsPerStep()).toEqual({ outline: 1, keywords: 1, count: 1, summary: 1, assemble: 1 });
  });
});

// Found by an adversarial review (see also test/requests/steps-attacked).
describe('every checkpoint in the bucket (CHECKPOINT_INLINE_MAX_BYTES=0)', () => {
  beforeAll(() => ensureBuilt());

  it('continuations and a killed worker replay bucket checkpoints to the same result as inline ones', async () => {
    const inline = await start({ env: { DEMO_TASK_MS: '500' } });
    const a = await submitAccepted(inline.url, { prompt: PROMPT, task: 'pipeline' });
    const expected = (await pollUntilTerminal(inline.url, a)).final.body.result;
    await inline.stop();

    const s = await start({ lambdaTimeoutMs: 4000, asyncRetry: { retries: 2, delaysMs: [1500, 1500] }, env: { DEMO_TASK_MS: '5000', CHECKPOINT_INLINE_MAX_BYTES: '0', WORKER_LEASE_SECONDS: '1' } });
    const id = await submitAccepted(s.url, { prompt: PROMPT, task: 'pipeline' });
    await waitFor(() => (logs.messages('step started').some((line) => line.step === 'summary') ? true : undefined), { timeoutMs: 20_000 });
    s.sandbox!.killAll();
    const { final } = await pollUntilTerminal(s.url, id, { timeoutMs: 40_000 });
    const item = await readItem(s, id);
    const started = logs.messages('step started').map((line) => line.step);
    expect(final.body.status, JSON.stringify(final.body)).toBe('complete');
    expect(final.body.result).toEqual(expected);
    expect(Object.values(item!.steps!).every((checkpoint) => checkpoint.object !== undefined && checkpoint.value === undefined)).toBe(true);
    expect(started.filter((name) => name !== 'summary')).toEqual(['outline', 'keywords', 'count', 'assemble']);
  }, 90_000);
});

describe('loop detection when a continuation event is slower than the sweep grace', () => {
  beforeAll(() => ensureBuilt());

  it('never lets a chain reach Lambda\'s recursion limit: the sweeper\'s restart must not hand a fresh hop budget to a late event of an old chain', async () => {
    // Direct hops stop at 2, so a chain (submit 1, worker 2, hops 3..4) stays within a limit of 4 invocations.
    const stack = await start({
      lambdaTimeoutMs: 5000,
      sweepIntervalMs: 300,
      recursionLimit: 4,
      env: { DEMO_TASK_MS: '10000', CONTINUATION_CHAIN_MAX: '2', SWEEP_GRACE_SECONDS: '1', WORKER_LEASE_SECONDS: '1' },
    });
    const id = await submitAccepted(stack.url, { prompt: PROMPT, task: 'pipeline' });
    // The second worker (invocation 3 of the chain) is running: its continuation event (invocation 4) will be slow.
    await waitFor(() => (message('step started').some((line) => line.step === 'keywords') ? true : undefined), { timeoutMs: 15_000 });
    stack.lambda.faults.eventDelayMs = 4000;
    // From here every event (a backed-up async queue) runs 4 s late, more than the 1 s grace: the sweeper
    // starts a new chain and dispatches, but the older, late event still arrives first: its hops must count.

    const { final } = await pollUntilTerminal(stack.url, id, { timeoutMs: 100_000 });
    stack.lambda.faults.eventDelayMs = 0;

    expect(final.body.status, JSON.stringify(final.body)).toBe('complete');
    // The sweeper did start new chains meanwhile, and no chain, old or new, went past the limit.
    expect(message('re-dispatched a request: a continuation no worker claimed, or one left to the sweeper').length).toBeGreaterThanOrEqual(1);
    expect(logs.lines.filter((line) => line.startsWith('RecursiveInvocationException'))).toEqual([]);
    expect(message('continues in a fresh invocation').every((line) => Number(line.chain_hops) <= 2)).toBe(true);
  }, 150_000);
});
