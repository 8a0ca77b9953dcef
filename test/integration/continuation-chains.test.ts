import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { pollUntilTerminal, submitAccepted } from '../support/http.js';
import { ensureBuilt } from '../support/stack.js';
import { waitFor } from '../support/wait-for.js';
import { LEASE_SECONDS, PROMPT, startPipelineStack, stopPipelineStacks } from './pipeline-stack.js';

afterEach(stopPipelineStacks);
beforeAll(() => ensureBuilt());

describe('long chains of continuations and Lambda loop detection', () => {
  it('leaves the continuation after CONTINUATION_CHAIN_MAX direct ones to the sweeper, which starts a new chain', async () => {
    const { stack, logs, message } = await startPipelineStack({ lambdaTimeoutMs: 4000, sweepIntervalMs: 300, env: { DEMO_TASK_MS: '5000', CONTINUATION_CHAIN_MAX: '2' } });
    const id = await submitAccepted(stack.url, { prompt: PROMPT, task: 'pipeline' });

    const { final } = await pollUntilTerminal(stack.url, id, { timeoutMs: 30_000 });

    expect(final.body.status, JSON.stringify(final.body)).toBe('complete');
    expect(message('continues in a fresh invocation').map((line) => line.dispatched)).toEqual([true, true, false, true]);
    expect(message('re-dispatched a request: a continuation no worker claimed, or one left to the sweeper')).toHaveLength(1);
    expect(logs.lines.filter((line) => line.startsWith('RecursiveInvocationException'))).toHaveLength(0);
  });

  it('finishes a chain Lambda stopped (a limit set lower here, to see it), through the sweeper', async () => {
    const { stack, logs, runsPerStep } = await startPipelineStack({
      lambdaTimeoutMs: 4000,
      sweepIntervalMs: 300,
      recursionLimit: 4,
      env: { DEMO_TASK_MS: '5000', SWEEP_GRACE_SECONDS: '1' },
    });
    const id = await submitAccepted(stack.url, { prompt: PROMPT, task: 'pipeline' });

    const { final } = await pollUntilTerminal(stack.url, id, { timeoutMs: 30_000 });

    expect(final.body.status, JSON.stringify(final.body)).toBe('complete');
    expect(logs.lines.filter((line) => line.startsWith('RecursiveInvocationException')).length).toBeGreaterThanOrEqual(1);
    expect(runsPerStep()).toEqual({ outline: 1, keywords: 1, count: 1, summary: 1, assemble: 1 });
  });
});

describe('loop detection when a continuation event is slower than the sweep grace', () => {
  it('never lets a chain reach Lambda\'s recursion limit: the sweeper\'s restart must not hand a fresh hop budget to a late event of an old chain', async () => {
    // Direct hops stop at 2, so a chain (submit 1, worker 2, hops 3..4) stays within a limit of 4 invocations.
    const { stack, logs, message } = await startPipelineStack({
      lambdaTimeoutMs: 5000,
      sweepIntervalMs: 300,
      recursionLimit: 4,
      env: { DEMO_TASK_MS: '10000', CONTINUATION_CHAIN_MAX: '2', SWEEP_GRACE_SECONDS: '1', WORKER_LEASE_SECONDS: String(LEASE_SECONDS) },
    });
    const id = await submitAccepted(stack.url, { prompt: PROMPT, task: 'pipeline' });
    // The second worker (invocation 3 of the chain) is running: its continuation event (invocation 4) will be slow.
    await waitFor(() => (message('step started').some((line) => line.step === 'keywords') ? true : undefined));
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
