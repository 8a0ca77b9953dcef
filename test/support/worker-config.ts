import type { CallbackDeps } from '../../src/callbacks/callback-deps.js';
import type { WorkerDeps } from '../../src/requests/ports.js';

type Settings = WorkerDeps['config'] & CallbackDeps['config'];
import type { Dispatcher } from '../../src/requests/dispatcher.js';

/** The worker's settings as the defaults have them, with no webhook secret: tests override what they exercise. */
export function workerConfig(overrides: Partial<Settings> = {}): Settings {
  return {
    leaseSeconds: 60,
    progressIntervalMs: 50,
    maxOutputBytes: 1024 ** 3,
    maxFiles: 100,
    inlineResultMaxBytes: 65_536,
    webhookSecret: undefined,
    callbackAllowedHosts: [],
    callbackAllowLoopback: false,
    callbackMaxAttempts: 12,
    callbackTimeoutMs: 5000,
    resultUrlSeconds: 900,
    stepBudgetSeconds: 60,
    checkpointInlineMaxBytes: 32 * 1024,
    continuationChainMax: 12,
    sweepGraceSeconds: 60,
    ...overrides,
  };
}

/** For workers whose tasks run no steps, so never continue: a continuation here is a test's mistake. */
export const noContinuations = async (): Promise<Dispatcher> => ({
  dispatch: () => Promise.reject(new Error('this test runs no multi-step task: nothing should be dispatched')),
});
