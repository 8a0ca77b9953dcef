import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Stack, StackOptions } from '../../../src/local/stack.js';
import { pollUntilTerminal, submitAccepted } from '../../support/http.js';
import { readItem } from '../../support/items.js';
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

describe('every checkpoint in the bucket (CHECKPOINT_INLINE_MAX_BYTES=0)', () => {
  beforeAll(() => ensureBuilt());

  it('continuations and a killed worker replay bucket checkpoints to the same result as inline ones', async () => {
    const inline = await start({ env: { DEMO_TASK_MS: '500' } });
    const a = await submitAccepted(inline.url, { prompt: PROMPT, task: 'pipeline' });
    const expected = (await pollUntilTerminal(inline.url, a)).final.body.result;
    await inline.stop();

    const s = await start({ lambdaTimeoutMs: 2000, asyncRetry: { retries: 2, delaysMs: [1500, 1500] }, env: { DEMO_TASK_MS: '5000', CHECKPOINT_INLINE_MAX_BYTES: '0', WORKER_LEASE_SECONDS: '1' } });
    const id = await submitAccepted(s.url, { prompt: PROMPT, task: 'pipeline' });
    await waitFor(() => (logs.messages('step started').some((line) => line.step === 'summary') ? true : undefined), { timeoutMs: 20_000 });
    s.sandbox!.killAll();
    const { final } = await pollUntilTerminal(s.url, id, { timeoutMs: 40_000 });
    const item = await readItem(s, id);
    const started = logs.messages('step started').map((line) => line.step);
    expect(final.body.status).toBe('complete');
    expect(final.body.result).toEqual(expected);
    expect(Object.values(item!.steps!).every((checkpoint) => checkpoint.object !== undefined && checkpoint.value === undefined)).toBe(true);
    expect(started.filter((name) => name !== 'summary')).toEqual(['outline', 'keywords', 'count', 'assemble']);
  }, 90_000);
});
