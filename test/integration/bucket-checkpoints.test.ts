import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { pollUntilTerminal, submitAccepted } from '../support/http.js';
import { readItem } from '../support/items.js';
import { ensureBuilt } from '../support/stack.js';
import { waitFor } from '../support/wait-for.js';
import { LEASE_SECONDS, PROMPT, RETRY_AFTER_LEASE, startPipelineStack, stopPipelineStack, stopPipelineStacks } from './pipeline-stack.js';

afterEach(stopPipelineStacks);
beforeAll(() => ensureBuilt());

// Found by an adversarial review (see also test/requests/steps).
describe('every checkpoint in the bucket (CHECKPOINT_INLINE_MAX_BYTES=0)', () => {
  it('continuations and a killed worker replay bucket checkpoints to the same result as inline ones', async () => {
    const inline = await startPipelineStack({ env: { DEMO_TASK_MS: '500' } });
    const a = await submitAccepted(inline.stack.url, { prompt: PROMPT, task: 'pipeline' });
    const expected = (await pollUntilTerminal(inline.stack.url, a)).final.body.result;
    await stopPipelineStack(inline.stack);

    const { stack: s, logs } = await startPipelineStack({
      lambdaTimeoutMs: 4000,
      asyncRetry: RETRY_AFTER_LEASE,
      env: { DEMO_TASK_MS: '5000', CHECKPOINT_INLINE_MAX_BYTES: '0', WORKER_LEASE_SECONDS: String(LEASE_SECONDS) },
    });
    const id = await submitAccepted(s.url, { prompt: PROMPT, task: 'pipeline' });
    await waitFor(() => (logs.messages('step started').some((line) => line.step === 'summary') ? true : undefined));
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
