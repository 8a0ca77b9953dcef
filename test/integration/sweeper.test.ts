import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createJsonLogger } from '../../src/log.js';
import { createTaskRegistry } from '../../src/tasks/registry.js';
import type { Stack, StackOptions } from '../../src/local/stack.js';
import { call, pollUntilTerminal, status, submitAccepted } from '../support/http.js';
import { readItem } from '../support/items.js';
import { createLogCollector, type LogCollector } from '../support/logs.js';
import { ensureBuilt, startTestStack } from '../support/stack.js';
import { waitFor } from '../support/wait-for.js';
import { fetchWebhookSecret, startWebhookReceiver, type WebhookReceiver } from '../support/webhook-receiver.js';

const PROMPT = 'A lost event costs a minute, not the deadline. The sweeper finds it.';
/** No retries of a failed async event: only the sweeper can notice a dead worker. */
const NO_LAMBDA_RETRY = { retries: 0, delaysMs: [] };
/**
 * A worker's lease here: long enough that a live worker's renewals keep it on a loaded machine
 * (its lease thread may be starved for seconds), short enough to wait out once it is killed.
 */
const LEASE_SECONDS = 3;

let stack: Stack | undefined;
let receiver: WebhookReceiver | undefined;
let logs: LogCollector;
afterEach(async () => {
  await stack?.stop();
  await receiver?.stop();
  stack = undefined;
  receiver = undefined;
});

async function start(options: Partial<StackOptions> = {}): Promise<Stack> {
  logs = createLogCollector();
  const log = options.runtime === 'sandbox' ? { log: logs.log } : { handlerOverrides: { log: createJsonLogger(logs.log), ...options.handlerOverrides } };
  stack = await startTestStack({ ...options, ...log, env: { SWEEP_GRACE_SECONDS: '1', ...options.env } });
  return stack;
}

/** The sweeps' own reports. */
const sweeps = () => logs.messages('swept');

describe('the sweeper', () => {
  beforeAll(() => ensureBuilt());

  it('dispatches again every request whose event the queue lost, once its grace period is over', async () => {
    const stack = await start();
    stack.lambda.faults.dropNextEvents = 10;
    const ids = await Promise.all(Array.from({ length: 10 }, (_, index) => submitAccepted(stack.url, { prompt: `${PROMPT} ${index}` })));
    expect(stack.lambda.faults.dropNextEvents).toBe(0);

    // The schedule, every 250 ms; started once the lost events are lost, so no sweep event is one of them.
    const schedule = setInterval(() => stack.sweep(), 250);
    const finals = await Promise.all(ids.map((id) => pollUntilTerminal(stack.url, id, { intervalMs: 100 }))).finally(() => clearInterval(schedule));

    expect(finals.map(({ final }) => final.body.status)).toEqual(Array(10).fill('complete'));
    const items = await Promise.all(ids.map((id) => readItem(stack, id)));
    expect(items.map((item) => [item?.attempt, item?.redispatches])).toEqual(Array(10).fill([1, 1]));
    expect(items.every((item) => item?.sweep_at === undefined)).toBe(true);
  });

  it('leaves a request alone within its grace period, and a live worker alone', async () => {
    // The worker's task runs until the test lets it go: it is live for as long as the test needs.
    let finish: () => void = () => {};
    const finished = new Promise<void>((resolve) => (finish = resolve));
    const tasks = createTaskRegistry([{ name: 'assess', description: 'runs until the test lets go', run: () => finished.then(() => 'done') }]);
    const stack = await start({ env: { SWEEP_GRACE_SECONDS: '30', WORKER_LEASE_SECONDS: String(LEASE_SECONDS) }, handlerOverrides: { tasks } });
    stack.lambda.faults.dropNextEvents = 1;
    const waiting = await submitAccepted(stack.url, { prompt: PROMPT });
    const running = await submitAccepted(stack.url, { prompt: PROMPT });
    const claimed = await waitFor(async () => {
      const item = await readItem(stack, running);
      return item?.status === 'processing' ? item : undefined;
    });
    // Past the claim's first lease, which the same worker renewed since: its sweep entry is due.
    await waitFor(async () => {
      const item = (await readItem(stack, running))!;
      return Date.now() > claimed.sweep_at! && item.attempt === claimed.attempt && item.lease_until > claimed.sweep_at! ? true : undefined;
    });

    stack.sweep();
    await waitFor(() => (sweeps().length === 1 ? true : undefined));

    expect(sweeps()[0]).toMatchObject({ due: 1, rescheduled: 1, redispatched: 0, ended: 0 });
    expect(await readItem(stack, waiting)).toMatchObject({ status: 'pending', attempt: 0 });
    // Moved on to the lease the worker renewed (which it may have renewed again since).
    const live = await readItem(stack, running);
    expect(live!.sweep_at).toBeGreaterThan(claimed.sweep_at!);
    expect(live!.sweep_at).toBeLessThanOrEqual(live!.lease_until);
    finish();
    expect((await pollUntilTerminal(stack.url, running)).final.body.status).toBe('complete');
  });

  it('looks at no more than SWEEP_BATCH requests a run, the soonest due first', async () => {
    const stack = await start({ env: { SWEEP_BATCH: '3' } });
    stack.lambda.faults.dropNextEvents = 7;
    const ids: string[] = [];
    for (let index = 0; index < 7; index += 1) ids.push(await submitAccepted(stack.url, { prompt: `${PROMPT} ${index}` }));
    await new Promise((resolve) => setTimeout(resolve, 1100));

    stack.sweep();
    await waitFor(() => (sweeps().length === 1 ? true : undefined));

    expect(sweeps()[0]).toMatchObject({ due: 3, redispatched: 3 });
    const redispatched = (await Promise.all(ids.map((id) => readItem(stack, id)))).map((item) => item?.redispatches ?? 0);
    expect(redispatched).toEqual([1, 1, 1, 0, 0, 0, 0]);
  });

  it('ends a request whose worker was killed with no attempt left, and posts its webhook, at the first sweep after the lease ran out', async () => {
    const stack = await start({ runtime: 'sandbox', asyncRetry: NO_LAMBDA_RETRY, env: { WORKER_LEASE_SECONDS: String(LEASE_SECONDS), DEMO_TASK_MS: '20000', MAX_ATTEMPTS: '1' } });
    receiver = await startWebhookReceiver(await fetchWebhookSecret(stack.url));
    const id = await submitAccepted(stack.url, { prompt: PROMPT, callback_url: `${receiver.url}/hook` });
    await waitFor(() => (logs.messages('claimed').length === 1 ? true : undefined));
    expect(stack.sandbox!.killAll()).toBe(1);
    const leaseUntil = (await readItem(stack, id))!.lease_until;
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, leaseUntil - Date.now()) + 50));

    stack.sweep();
    // The sweep ends the request and hands its webhook to a deliver event of its own.
    await waitFor(() => (sweeps().length === 1 && receiver!.deliveries.length === 1 ? true : undefined));
    await stack.lambda.idle();

    expect(receiver.deliveries).toHaveLength(1);
    expect(receiver.deliveries[0]).toMatchObject({ verified: true, body: { type: 'request.error', data: { request_id: id, error_code: 'worker_lost' } } });
    expect(sweeps()[0]).toMatchObject({ due: 1, ended: 1 });
    const item = await readItem(stack, id);
    expect(item).toMatchObject({ status: 'error', error_code: 'worker_lost', attempt: 1, callback: { status: 'delivered', attempts: 1 } });
    expect(Date.parse(item!.updated_at)).toBeGreaterThanOrEqual(leaseUntil);
  });

  it("dispatches again a request whose worker was killed and that Lambda did not retry, as its next attempt", async () => {
    const stack = await start({ runtime: 'sandbox', asyncRetry: NO_LAMBDA_RETRY, env: { WORKER_LEASE_SECONDS: String(LEASE_SECONDS), DEMO_TASK_MS: '1500', MAX_ATTEMPTS: '2' } });
    const id = await submitAccepted(stack.url, { prompt: PROMPT });
    await waitFor(() => (logs.messages('claimed').length === 1 ? true : undefined));
    stack.sandbox!.killAll();

    // The first sweep past the lease waits the grace period for Lambda's own retry; the next one dispatches.
    const leaseUntil = (await readItem(stack, id))!.lease_until;
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, leaseUntil - Date.now()) + 50));
    stack.sweep();
    await waitFor(() => (sweeps().length === 1 ? true : undefined));
    expect((await status(stack.url, id)).body.status).toBe('processing');
    await new Promise((resolve) => setTimeout(resolve, 1050));
    stack.sweep();

    const { final } = await pollUntilTerminal(stack.url, id);
    expect(final.body.status).toBe('complete');
    expect((await readItem(stack, id))?.attempt).toBe(2);
    expect(sweeps().map((report) => report.redispatched)).toEqual([0, 1]);
  });

  it('dispatches each lost request once when sweeps run at the same time', async () => {
    const stack = await start();
    stack.lambda.faults.dropNextEvents = 20;
    const ids = await Promise.all(Array.from({ length: 20 }, (_, index) => submitAccepted(stack.url, { prompt: `${PROMPT} ${index}` })));
    await new Promise((resolve) => setTimeout(resolve, 1100));

    stack.sweep();
    stack.sweep();
    stack.sweep();
    await waitFor(() => (sweeps().length === 3 ? true : undefined));
    await Promise.all(ids.map((id) => pollUntilTerminal(stack.url, id)));

    expect(sweeps().reduce((total, report) => total + Number(report.redispatched), 0)).toBe(20);
    const items = await Promise.all(ids.map((id) => readItem(stack, id)));
    expect(items.map((item) => item?.redispatches)).toEqual(Array(20).fill(1));
  });

  it('re-dispatches a lost event in the same sweep that owes webhooks to receivers that hang', async () => {
    const stack = await start({ env: { DEMO_TASK_MS: '60000', CALLBACK_TIMEOUT_MS: '1000' } });
    receiver = await startWebhookReceiver(await fetchWebhookSecret(stack.url));
    receiver.answers.push(...Array.from({ length: 200 }, () => 'hang' as const));
    stack.lambda.faults.eventDelayMs = 60_000; // the cancels' own deliver events never come in time
    const owing = await Promise.all(Array.from({ length: 30 }, () => submitAccepted(stack.url, { prompt: PROMPT, callback_url: `${receiver!.url}/hang` })));
    await Promise.all(owing.map((id) => call(stack.url, 'DELETE', `/v1/status/${id}`)));
    stack.lambda.faults.eventDelayMs = 0;
    stack.lambda.faults.dropNextEvents = 1;
    const lost = await submitAccepted(stack.url, { prompt: PROMPT });
    await new Promise((resolve) => setTimeout(resolve, 1100));

    stack.sweep();
    await waitFor(() => (sweeps().length === 1 ? true : undefined));

    expect(sweeps()[0]).toMatchObject({ due: 31, redispatched: 1, deliveries: 30 });
    expect((await readItem(stack, lost))?.redispatches).toBe(1);
  });
});
