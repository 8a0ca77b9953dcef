import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Stack } from '../../src/local/stack.js';
import { RequestStatus } from '../../src/contract.js';
import { pollUntilTerminal, submitAccepted } from '../support/http.js';
import { readItem } from '../support/items.js';
import { createLogCollector } from '../support/logs.js';
import { ensureBuilt, startTestStack } from '../support/stack.js';
import { waitFor } from '../support/wait-for.js';

describe('a crashed worker is taken over by the next delivery, whenever it comes', () => {
  let stack: Stack | undefined;
  const logs = createLogCollector();
  beforeAll(() => ensureBuilt());
  afterEach(async () => {
    await stack?.stop();
    stack = undefined;
  });

  it("completes on attempt 2 when Lambda's retry arrives while the dead worker's lease is still live", async () => {
    // Lambda's retry comes 300 ms after the crash; the dead worker's lease runs 5 s past its last renewal.
    stack = await startTestStack({
      runtime: 'sandbox',
      log: logs.log,
      asyncRetry: { retries: 2, delaysMs: [300, 300] },
      env: { WORKER_LEASE_SECONDS: '5', DEMO_TASK_MS: '2000' },
    });
    const id = await submitAccepted(stack.url, { prompt: 'Crash me once. The retry must not be swallowed.' });
    await waitFor(() => (logs.messages('claimed').length === 1 ? true : undefined));

    expect(stack.sandbox!.killAll()).toBe(1);
    const { final } = await pollUntilTerminal(stack.url, id, { timeoutMs: 30_000 });

    expect(final.body.status).toBe(RequestStatus.Complete);
    expect((await readItem(stack, id))!.attempt).toBe(2);
  });
});
