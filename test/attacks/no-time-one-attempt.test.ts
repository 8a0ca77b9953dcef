// Attack on issue 18, property 3 (webhooks under a short timeout, `no_time`): with
// CALLBACK_MAX_ATTEMPTS=1, a webhook is given up `failed` without a single POST.
//
// FAULT: a delivery run with too little time counts a `no_time` attempt. The worker that ends a
// request whose task used its invocation up (a `timeout` outcome) has at most the worker's safety
// margin left, 5 s (worker.ts: safetyMarginMs), less than a try needs with the default
// CALLBACK_TIMEOUT_MS (5 s + 1 s headroom). Under CALLBACK_MAX_ATTEMPTS=1 that uncounted-in-spirit
// attempt is the only one: the callback ends `failed`, the receiver never hears of the request,
// though the sweeper's next run, in an invocation of its own, would have had all the time it needs.
// Real table (dynalite) and a real receiver over a socket; the run is the call the worker makes.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deliverCallback, deliverIfOwed } from '../../src/callbacks/notify.js';
import { ownerWebhookSecret } from '../../src/callbacks/owner-secret.js';
import { TRIES_IN_INVOCATION } from '../../src/callbacks/schedule.js';
import { ErrorCode } from '../../src/contract.js';
import type { CallbackDeps } from '../../src/callbacks/callback-deps.js';
import { silentLogger } from '../../src/log.js';
import { silentMetrics } from '../../src/metrics.js';
import { newPendingRequest } from '../../src/requests/model.js';
import { createTestClock } from '../support/stack.js';
import { startTestTable, type TestTable } from '../support/table.js';
import { startWebhookReceiver, type WebhookReceiver } from '../support/webhook-receiver.js';
import { workerConfig } from '../support/worker-config.js';

const WEBHOOK_SECRET = `whsec_${Buffer.alloc(32, 9).toString('base64')}`;
/** The most a worker keeps back from its task (worker.ts, safetyMarginMs): what it has left to deliver after a timeout. */
const WORKER_MARGIN_MS = 5000;
const A_FRESH_INVOCATION_MS = 60_000;

describe('attack: no_time under CALLBACK_MAX_ATTEMPTS=1 (issue 18, property 3)', () => {
  let table: TestTable;
  let receiver: WebhookReceiver;
  beforeAll(async () => {
    table = await startTestTable('attack-no-time');
    receiver = await startWebhookReceiver(ownerWebhookSecret(WEBHOOK_SECRET, ''));
  });
  afterAll(async () => {
    await receiver?.stop();
    await table?.stop();
  });

  it('never gives a webhook up without having tried it once', async () => {
    const clock = createTestClock();
    const config = workerConfig({ webhookSecret: WEBHOOK_SECRET, callbackAllowLoopback: true, callbackTimeoutMs: 5000, callbackMaxAttempts: 1 });
    const deps: CallbackDeps = { store: table.store, objects: undefined, now: clock.now, log: silentLogger, metrics: silentMetrics, config };
    const requestId = crypto.randomUUID();
    await table.store.create(
      newPendingRequest({ requestId, task: 'assess', input: { prompt: 'x' }, nowMs: clock.now(), ttlSeconds: 86_400, deadlineSeconds: 3600, maxAttempts: 3, sweepGraceSeconds: 60, callbackUrl: `${receiver.url}/hook` }),
    );
    const ended = await table.store.cancel(requestId, clock.now(), 'ended', ErrorCode.Cancelled);
    expect(ended).toBeDefined();

    // The worker's run, with what a worker has left after its task used the invocation up.
    await deliverCallback(deps, (await table.store.get(requestId))!, { maxTries: TRIES_IN_INVOCATION, remainingMs: () => WORKER_MARGIN_MS });
    // The sweeper's run, later, in an invocation of its own.
    clock.advance(31_000);
    await deliverIfOwed(deps, requestId, undefined, () => A_FRESH_INVOCATION_MS);

    const item = await table.store.get(requestId);
    expect(receiver.deliveries.length, `callback ${JSON.stringify(item?.callback)} after ${receiver.deliveries.length} POSTs`).toBe(1);
    expect(item?.callback).toMatchObject({ status: 'delivered', attempts: 1 });
  });
});
