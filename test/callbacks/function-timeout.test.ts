import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { deliverIfOwed } from '../../src/callbacks/notify.js';
import { ownerWebhookSecret } from '../../src/callbacks/owner-secret.js';
import { ConfigError, loadConfig } from '../../src/config.js';
import { ErrorCode } from '../../src/contract.js';
import type { CallbackDeps } from '../../src/callbacks/callback-deps.js';
import { silentLogger } from '../../src/log.js';
import { silentMetrics } from '../../src/metrics.js';
import { newPendingRequest } from '../../src/requests/model.js';
import { createTestClock } from '../support/stack.js';
import { startTestTable, type TestTable } from '../support/table.js';
import { startWebhookReceiver, type WebhookReceiver } from '../support/webhook-receiver.js';
import { workerConfig } from '../support/worker-config.js';

const BASE = { REQUESTS_TABLE: 'requests', REQUEST_ID_SECRET: 'x'.repeat(32) };
const WEBHOOK_SECRET = `whsec_${Buffer.alloc(32, 7).toString('base64')}`;
const CALLBACK_TIMEOUT_MS = 5000;
/** Less than one try needs (CALLBACK_TIMEOUT_MS + 1 s): what a worker has left when its task used up the invocation. */
const TOO_LITTLE_MS = 5500;
const A_FRESH_INVOCATION_MS = 60_000;

describe('a function timeout that leaves no room for a webhook try', () => {
  it('is refused at cold start, naming both variables', () => {
    for (const env of [
      { FUNCTION_TIMEOUT_SECONDS: '5' }, // CALLBACK_TIMEOUT_MS defaults to 5000
      { FUNCTION_TIMEOUT_SECONDS: '6', CALLBACK_TIMEOUT_MS: '5000' },
      { FUNCTION_TIMEOUT_SECONDS: '30', CALLBACK_TIMEOUT_MS: '29000' },
    ]) {
      expect(() => loadConfig({ ...BASE, ...env }), JSON.stringify(env)).toThrow(ConfigError);
      expect(() => loadConfig({ ...BASE, ...env })).toThrow(/CALLBACK_TIMEOUT_MS \(\d+\).*FUNCTION_TIMEOUT_SECONDS \(\d+\)/);
    }
  });

  it('is taken when one try and its headroom fit, or when the timeout is not known', () => {
    expect(loadConfig({ ...BASE, FUNCTION_TIMEOUT_SECONDS: '7' })).toMatchObject({ functionTimeoutSeconds: 7, callbackTimeoutMs: 5000 });
    expect(loadConfig({ ...BASE, FUNCTION_TIMEOUT_SECONDS: '5', CALLBACK_TIMEOUT_MS: '3000' })).toMatchObject({ functionTimeoutSeconds: 5 });
    expect(loadConfig(BASE).functionTimeoutSeconds).toBeUndefined();
  });
});

describe('a delivery run with no time left for a try', () => {
  let table: TestTable;
  let receiver: WebhookReceiver;
  beforeAll(async () => {
    table = await startTestTable('function-timeout');
    // A request with no API key: its owner is '' (see owner-secret.ts).
    receiver = await startWebhookReceiver(ownerWebhookSecret(WEBHOOK_SECRET, ''));
  });
  afterAll(async () => {
    await receiver?.stop();
    await table?.stop();
  });
  afterEach(() => void receiver.deliveries.splice(0));

  /** An ended request that owes its webhook now (a cancelled one: due for delivery at once). */
  async function endedRequest(deps: CallbackDeps): Promise<string> {
    const requestId = crypto.randomUUID();
    const item = newPendingRequest({
      requestId,
      task: 'assess',
      input: { prompt: 'x' },
      nowMs: deps.now(),
      ttlSeconds: 86_400,
      deadlineSeconds: 3600,
      maxAttempts: 3,
      sweepGraceSeconds: 60,
      callbackUrl: `${receiver.url}/hook`,
    });
    await table.store.create(item);
    await table.store.cancel(requestId, deps.now(), 'cancelled', ErrorCode.Cancelled);
    return requestId;
  }

  function callbackDeps(now: () => number, callbackMaxAttempts = 12): CallbackDeps {
    const config = workerConfig({ webhookSecret: WEBHOOK_SECRET, callbackAllowLoopback: true, callbackTimeoutMs: CALLBACK_TIMEOUT_MS, callbackMaxAttempts });
    return { store: table.store, objects: undefined, now, log: silentLogger, metrics: silentMetrics, config };
  }

  it('counts the skipped try, and the next run, in an invocation of its own, delivers', async () => {
    const clock = createTestClock();
    const deps = callbackDeps(clock.now);
    const requestId = await endedRequest(deps);

    expect(await deliverIfOwed(deps, requestId, undefined, () => TOO_LITTLE_MS)).toBe('delivering');
    const skipped = await table.store.get(requestId);
    expect(skipped?.callback).toEqual({ status: 'pending', attempts: 1, last_status: 'no_time' });
    expect(skipped!.sweep_at! - clock.now()).toBeGreaterThan(25_000);
    expect(receiver.deliveries).toHaveLength(0);

    clock.advance(31_000);
    expect(await deliverIfOwed(deps, requestId, undefined, () => A_FRESH_INVOCATION_MS)).toBe('delivering');
    expect((await table.store.get(requestId))?.callback).toEqual({ status: 'delivered', attempts: 2, last_status: 200 });
    expect(receiver.deliveries.map((delivery) => delivery.verified)).toEqual([true]);
  });

  it('never lets a skipped run take the last try: that one is a POST, still within CALLBACK_MAX_ATTEMPTS', async () => {
    const clock = createTestClock();
    const deps = callbackDeps(clock.now, 2);
    const requestId = await endedRequest(deps);

    for (let run = 0; run < 2; run += 1) {
      expect(await deliverIfOwed(deps, requestId, undefined, () => TOO_LITTLE_MS)).toBe('delivering');
      clock.advance(31_000);
    }
    expect((await table.store.get(requestId))?.callback).toEqual({ status: 'pending', attempts: 1, last_status: 'no_time' });
    expect(receiver.deliveries).toHaveLength(0);

    expect(await deliverIfOwed(deps, requestId, undefined, () => A_FRESH_INVOCATION_MS)).toBe('delivering');
    const item = await table.store.get(requestId);
    expect(item?.callback).toEqual({ status: 'delivered', attempts: 2, last_status: 200 });
    expect(item?.sweep_at).toBeUndefined();
    expect(receiver.deliveries.map((delivery) => delivery.verified)).toEqual([true]);
  });
});
