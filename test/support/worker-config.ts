import type { WorkerDeps } from '../../src/handler-deps.js';

/** The worker's settings as the defaults have them, with no webhook secret: tests override what they exercise. */
export function workerConfig(overrides: Partial<WorkerDeps['config']> = {}): WorkerDeps['config'] {
  return {
    leaseSeconds: 60,
    progressIntervalMs: 50,
    maxOutputBytes: 1024 ** 3,
    inlineResultMaxBytes: 65_536,
    webhookSecret: undefined,
    callbackAllowedHosts: [],
    callbackAllowLoopback: false,
    callbackMaxAttempts: 12,
    callbackTimeoutMs: 5000,
    resultUrlSeconds: 900,
    ...overrides,
  };
}
