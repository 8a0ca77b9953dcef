import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Env } from '../../src/config.js';
import { silentLogger } from '../../src/log.js';
import { silentMetrics } from '../../src/metrics.js';
import { BUILT_HANDLER } from '../../src/local/sandbox-runtime.js';
import { startStack, type Stack, type StackOptions } from '../../src/local/stack.js';

export const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));

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
    handlerOverrides: { log: silentLogger, metrics: silentMetrics, ...options.handlerOverrides },
  });
}

/** A clock tests can move forward, to reach TTLs and deadlines without waiting for them. */
export function createTestClock(): { now: () => number; advance(ms: number): void } {
  let offset = 0;
  return { now: () => Date.now() + offset, advance: (ms) => void (offset += ms) };
}

/**
 * The sandbox runtime runs the built bundle. The test command builds first; a lone `vitest run`
 * of a file that needs it builds here when it is missing.
 */
export function ensureBuilt(): void {
  if (existsSync(BUILT_HANDLER)) return;
  const build = spawnSync(process.execPath, ['build.mjs'], { cwd: REPO_ROOT, encoding: 'utf8' });
  if (build.status !== 0) throw new Error(`node build.mjs failed:\n${build.stdout}\n${build.stderr}`);
}
