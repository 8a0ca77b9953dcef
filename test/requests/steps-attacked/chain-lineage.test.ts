import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Stack, StackOptions } from '../../../src/local/stack.js';
import { pollUntilTerminal, submitAccepted } from '../../support/http.js';
import { createLogCollector, type LogCollector } from '../../support/logs.js';
import { ensureBuilt, startTestStack } from '../../support/stack.js';
import { waitFor } from '../../support/wait-for.js';

const PROMPT =
  'Durable steps keep what a crash would lose. Each step is checkpointed before the next begins. ' +
  'A continuation picks up where the last invocation stopped. Long work then outlives any one function timeout.';

let stack: Stack | undefined;
let logs: LogCollector;
afterEach(async () => {
  await stack?.stop();
  stack = undefined;
});

async function start(options: Partial<StackOptions> = {}): Promise<Stack> {
  logs = createLogCollector();
  stack = await startTestStack({ runtime: 'sandbox', log: logs.log, ...options, env: { PROGRESS_INTERVAL_MS: '100', ...options.env } });
  return stack;
}
const message = (name: string) => logs.messages(name);

describe('loop detection when a continuation event is slower than the sweep grace', () => {
  beforeAll(() => ensureBuilt());

  it('never lets a chain reach Lambda\'s recursion limit: the sweeper\'s restart must not hand a fresh hop budget to a late event of an old chain', async () => {
    // Direct hops stop at 2, so a chain (submit 1, worker 2, hops 3..4) stays within a limit of 4 invocations.
    const stack = await start({
      lambdaTimeoutMs: 3000,
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

    expect(final.body.status).toBe('complete');
    // The sweeper did start new chains meanwhile, and no chain, old or new, went past the limit.
    expect(message('re-dispatched a request: a continuation no worker claimed, or one left to the sweeper').length).toBeGreaterThanOrEqual(1);
    expect(logs.lines.filter((line) => line.startsWith('RecursiveInvocationException'))).toEqual([]);
    expect(message('continues in a fresh invocation').every((line) => Number(line.chain_hops) <= 2)).toBe(true);
  }, 150_000);
});
