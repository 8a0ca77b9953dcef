import type { Env } from '../../src/config.js';
import { silentLogger } from '../../src/log.js';
import { startStack, type Stack, type StackOptions } from '../../src/local/stack.js';

/** Test defaults: a fast task, quick polling, Lambda's retries shortened from minutes to moments. */
export const TEST_ENV: Env = {
  REQUESTS_TABLE: 'test-requests',
  DEMO_TASK_MS: '200',
  PROGRESS_INTERVAL_MS: '50',
  LONG_POLL_INTERVAL_MS: '50',
};

/** A whole local stack on ephemeral ports, in memory, silent. Stop it in `afterAll`. */
export function startTestStack(options: Partial<StackOptions> = {}): Promise<Stack> {
  return startStack({
    asyncRetry: { retries: 2, delaysMs: [100, 200] },
    ...options,
    env: { ...TEST_ENV, ...options.env },
    handlerOverrides: { log: silentLogger, ...options.handlerOverrides },
  });
}

/** A clock tests can move forward, to reach TTLs and deadlines without waiting for them. */
export function createTestClock(): { now: () => number; advance(ms: number): void } {
  let offset = 0;
  return { now: () => Date.now() + offset, advance: (ms) => void (offset += ms) };
}
