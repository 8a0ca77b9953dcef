import { afterEach, describe, expect, it } from 'vitest';
import type { Stack } from '../../src/local/stack.js';
import { createEmfMetrics } from '../../src/metrics.js';
import { delay } from '../../src/delay.js';
import { Webhook } from 'standardwebhooks';
import { createClient } from '../../src/client/index.js';
import { startDnsServer, type DnsServer } from '../support/dns-server.js';
import { invokeThroughLambda, restEvent } from '../support/events.js';
import { call, pollUntilTerminal, status, submit, submitAccepted } from '../support/http.js';
import { readItem } from '../support/items.js';
import { createTestClock, startTestStack } from '../support/stack.js';
import { waitFor } from '../support/wait-for.js';
import { fetchWebhookSecret, startWebhookReceiver, type WebhookReceiver } from '../support/webhook-receiver.js';

const PROMPT = 'Webhooks tell a caller the end. Nobody has to poll.';
/**
 * One try's limit here: short, so a receiver that hangs is given up on quickly, but not so short
 * that a loaded machine's receiver answering 200 counts as a timeout and is posted to again.
 */
const CALLBACK_TIMEOUT_MS = '2000';

let stack: Stack | undefined;
let receiver: WebhookReceiver | undefined;
let dns: DnsServer | undefined;
afterEach(async () => {
  await stack?.stop();
  await receiver?.stop();
  await dns?.stop();
  stack = undefined;
  receiver = undefined;
  dns = undefined;
});

async function start(env: Record<string, string> = {}, options: Parameters<typeof startTestStack>[0] = {}) {
  stack = await startTestStack({ ...options, env: { CALLBACK_TIMEOUT_MS, ...env } });
  receiver = await startWebhookReceiver(await fetchWebhookSecret(stack.url));
  return { stack, receiver };
}

/** Waits until the request's webhook is no longer pending, and answers its state as the view shows it. */
async function settledCallback(target: Stack, requestId: string) {
  return waitFor(async () => {
    const item = await readItem(target, requestId);
    return item?.callback?.status !== undefined && item.callback.status !== 'pending' ? item : undefined;
  });
}

describe('completion webhooks', () => {
  it('posts the ended request once, signed, with the view a status read shows', async () => {
    const { stack, receiver } = await start();
    const requestId = await submitAccepted(stack.url, { prompt: PROMPT, callback_url: `${receiver.url}/hooks/done` });
    const { final } = await pollUntilTerminal(stack.url, requestId);
    const item = await settledCallback(stack, requestId);
    // A sweep after delivery finds nothing owed: still one delivery.
    stack.sweep();
    await stack.lambda.idle();

    expect(receiver.deliveries).toHaveLength(1);
    const [delivery] = receiver.deliveries;
    expect(delivery).toMatchObject({ path: '/hooks/done', verified: true, contractError: undefined });
    expect(delivery!.body).toMatchObject({ type: 'request.complete', timestamp: final.body.updated_at });
    const { callback, ...view } = final.body;
    expect(delivery!.body.data).toEqual(view);
    expect(callback).toEqual({ status: 'pending', attempts: 0 });
    expect(item.callback).toEqual({ status: 'delivered', attempts: 1, last_status: 200 });
    expect((await status(stack.url, requestId)).body.callback).toEqual({ status: 'delivered', attempts: 1, last_status: 200 });
    // The receiver's answer body is read and dropped, never stored.
    expect(JSON.stringify(item)).not.toContain('receiver says');
    expect(item.sweep_at).toBeUndefined();
  });

  it.each([
    ['a 500', 500, 500],
    ['a timeout', 'hang', 'timeout'],
    ['a dropped connection', 'drop', 'network_error'],
    ['a redirect, which is not followed', { redirect: '/elsewhere' }, 302],
  ] as const)('tries again after %s, with the same webhook-id, and records why it failed', async (_label, answer, recorded) => {
    const clock = createTestClock();
    const { stack, receiver } = await start({}, { handlerOverrides: { now: clock.now } });
    receiver.answers.push(answer, answer, answer);
    const requestId = await submitAccepted(stack.url, { prompt: PROMPT, callback_url: `${receiver.url}/hook` });
    const failed = await waitFor(async () => {
      const item = await readItem(stack, requestId);
      return item?.callback?.attempts === 3 ? item : undefined;
    });
    expect(failed.callback).toEqual({ status: 'pending', attempts: 3, last_status: recorded });

    clock.advance(31_000);
    stack.sweep();
    const item = await settledCallback(stack, requestId);
    expect(receiver.deliveries.map((delivery) => delivery.answered)).toEqual([answer, answer, answer, 200]);
    expect(receiver.deliveries.every((delivery) => delivery.verified && delivery.path === '/hook')).toBe(true);
    expect(new Set(receiver.deliveries.map((delivery) => delivery.webhookId)).size).toBe(1);
    expect(item.callback).toEqual({ status: 'delivered', attempts: 4, last_status: 200 });
  });

  it('hands the webhook to the sweeper after the tries in the invocation fail, and gives up after CALLBACK_MAX_ATTEMPTS', async () => {
    const clock = createTestClock();
    const lines: string[] = [];
    const { stack, receiver } = await start(
      { CALLBACK_MAX_ATTEMPTS: '5' },
      { handlerOverrides: { now: clock.now, metrics: createEmfMetrics('async-router', (line) => lines.push(line)) } },
    );
    receiver.answers.push(500, 500, 500);
    const requestId = await submitAccepted(stack.url, { prompt: PROMPT, callback_url: `${receiver.url}/hook` });
    const afterInvocation = await waitFor(async () => {
      const item = await readItem(stack, requestId);
      return item?.callback?.attempts === 3 ? item : undefined;
    });
    expect(afterInvocation.callback).toEqual({ status: 'pending', attempts: 3, last_status: 500 });
    expect(afterInvocation.sweep_at! - clock.now()).toBeGreaterThan(25_000);

    // Not due yet: a sweep leaves it alone.
    stack.sweep();
    await stack.lambda.idle();
    expect(receiver.deliveries).toHaveLength(3);

    // 30 s later the sweeper tries once; it fails, and the next try is a minute later.
    receiver.answers.push(503);
    clock.advance(31_000);
    stack.sweep();
    await stack.lambda.idle();
    expect(receiver.deliveries).toHaveLength(4);
    expect((await readItem(stack, requestId))?.callback).toEqual({ status: 'pending', attempts: 4, last_status: 503 });

    receiver.answers.push('drop');
    clock.advance(61_000);
    stack.sweep();
    await stack.lambda.idle();
    const given = await readItem(stack, requestId);
    expect(given?.callback).toEqual({ status: 'failed', attempts: 5, last_status: 'network_error' });
    expect(given?.sweep_at).toBeUndefined();
    expect(new Set(receiver.deliveries.map((delivery) => delivery.webhookId)).size).toBe(1);
    const failures = lines.map((line) => JSON.parse(line)).filter((record) => record.WebhookFailures !== undefined);
    expect(failures).toHaveLength(1);
  });

  it('posts a cancelled request at once, and a lost one at the next sweep', async () => {
    const clock = createTestClock();
    const { stack, receiver } = await start({ DEMO_TASK_MS: '60000', REQUEST_DEADLINE_SECONDS: '120' }, { handlerOverrides: { now: clock.now } });
    const cancelled = await submitAccepted(stack.url, { prompt: PROMPT, callback_url: `${receiver.url}/cancelled` });
    const lost = await submitAccepted(stack.url, { prompt: PROMPT, callback_url: `${receiver.url}/lost` });
    await waitFor(async () => ((await readItem(stack, cancelled))?.status === 'processing' ? true : undefined));
    expect((await call(stack.url, 'DELETE', `/v1/status/${cancelled}`)).status).toBe(202);
    await waitFor(() => (receiver.deliveries.length === 1 ? true : undefined));
    expect(receiver.deliveries[0]!.body).toMatchObject({ type: 'request.error', data: { request_id: cancelled, error_code: 'cancelled' } });

    // Past the deadline nobody reads the request; the sweeper finds it lost and says so.
    clock.advance(125_000);
    stack.sweep();
    await waitFor(() => (receiver.deliveries.length === 2 ? true : undefined));
    expect(receiver.deliveries[1]).toMatchObject({ path: '/lost', verified: true, body: { type: 'request.error', data: { request_id: lost, error_code: 'deadline_exceeded' } } });
  });
});

describe('callback_url at submit', () => {
  it.each([
    ['not a URL', 'not a url', /is not a valid URL/],
    ['another scheme', 'ftp://example.com/hook', /must be an http\(s\) URL/],
    ['credentials', 'http://user:pass@127.0.0.1/hook', /must not carry credentials/],
    ['a private address', 'http://10.1.2.3/hook', /private, loopback and link-local addresses are refused/],
    ['the metadata service', 'http://169.254.169.254/latest/meta-data/', /may not reach \(169\.254\.169\.254\)/],
    ['an IPv4-mapped private address', 'http://[::ffff:192.168.0.1]/hook', /may not reach/],
    ['a unique local IPv6 address', 'http://[fd00::1]/hook', /may not reach/],
    ['a name that does not resolve', 'http://no-such-host.invalid/hook', /does not resolve/],
    ['a number', 42, /must be a string/],
    ['an IPv4-compatible IPv6 address', 'http://[::127.0.0.1]/hook', /may not reach/],
    ['a name no resolver takes', `http://${Array.from({ length: 5 }, () => 'a'.repeat(60)).join('.')}.com/hook`, /does not resolve/],
  ])('refuses %s with 400 naming callback_url', async (_label, callbackUrl, reason) => {
    const { stack } = await start();
    const response = await submit(stack.url, { prompt: PROMPT, callback_url: callbackUrl });
    expect(response.status).toBe(400);
    expect(response.body).toMatchObject({ error_code: 'invalid_request', field: 'callback_url' });
    expect(response.body.error).toMatch(reason);
  });

  it('refuses loopback and plain http where loopback is not allowed (as in AWS), and a host off the allow-list', async () => {
    const { stack } = await start({ CALLBACK_ALLOW_LOOPBACK: 'false', CALLBACK_ALLOWED_HOSTS: 'hooks.example.com,*.example.org' });
    const answers = await Promise.all(
      ['https://localhost/hook', 'http://hooks.example.com/hook', 'https://[::1]/hook', 'https://example.net/hook', 'https://a.example.org.evil.net/hook'].map((url) =>
        submit(stack.url, { prompt: PROMPT, callback_url: url }),
      ),
    );
    expect(answers.map((answer) => answer.status)).toEqual([400, 400, 400, 400, 400]);
    expect(answers.map((answer) => answer.body.error)).toEqual([
      expect.stringMatching(/names a host \(localhost\) that CALLBACK_ALLOWED_HOSTS does not list/),
      expect.stringMatching(/must be an https URL/),
      expect.stringMatching(/CALLBACK_ALLOWED_HOSTS does not list/),
      expect.stringMatching(/CALLBACK_ALLOWED_HOSTS does not list/),
      expect.stringMatching(/CALLBACK_ALLOWED_HOSTS does not list/),
    ]);
  });

  it('refuses a name that resolves to loopback where loopback is not allowed', async () => {
    const { stack } = await start({ CALLBACK_ALLOW_LOOPBACK: 'false' });
    const response = await submit(stack.url, { prompt: PROMPT, callback_url: 'https://localhost/hook' });
    expect(response.status).toBe(400);
    expect(response.body.error).toMatch(/resolves to an address callbacks may not reach \((127\.0\.0\.1|::1)\)/);
  });

  it('treats a replay with another callback_url as another body (422)', async () => {
    const { stack, receiver } = await start();
    const headers = { 'Idempotency-Key': 'order-1' };
    expect((await submit(stack.url, { prompt: PROMPT, callback_url: `${receiver.url}/a` }, headers)).status).toBe(202);
    expect((await submit(stack.url, { prompt: PROMPT, callback_url: `${receiver.url}/a` }, headers)).status).toBe(202);
    expect((await submit(stack.url, { prompt: PROMPT, callback_url: `${receiver.url}/b` }, headers)).status).toBe(422);
  });
});

describe('a replay under changed DNS', () => {
  it('answers as the original did whatever the callback host resolves to now, and checks the address again before delivering', async () => {
    dns = await startDnsServer(new Map([['hooks.test', ['127.0.0.1']]]));
    const clock = createTestClock();
    const { stack, receiver } = await start({}, { handlerOverrides: { now: clock.now, lookupHost: dns.lookup } });
    receiver.answers.push(500, 500, 500);
    const body = { prompt: PROMPT, callback_url: `${receiver.url.replace('127.0.0.1', 'hooks.test')}/hook` };
    const headers = { 'Idempotency-Key': 'order-7' };
    const first = await submit(stack.url, body, headers);
    expect(first.status).toBe(202);
    await waitFor(async () => ((await readItem(stack, first.body.request_id))?.callback?.attempts === 3 ? true : undefined));

    const replays = [];
    dns.zone.set('hooks.test', ['10.0.0.7']); // pointed at a private address
    replays.push(await submit(stack.url, body, headers));
    dns.zone.delete('hooks.test'); // gone: NXDOMAIN
    replays.push(await submit(stack.url, body, headers));
    await dns.stop(); // the resolver is down
    replays.push(await submit(stack.url, body, headers));

    expect(replays.map((replay) => replay.status)).toEqual([202, 202, 202]);
    for (const replay of replays) {
      expect(replay.body).toEqual({ ...first.body, status: 'complete', message: expect.stringContaining('already accepted') });
      expect(replay.headers.get('idempotent-replayed')).toBe('true');
    }
    // The sweeper's next try looks the host up again: no resolver, no POST.
    clock.advance(31_000);
    stack.sweep();
    await stack.lambda.idle();
    expect(receiver.deliveries).toHaveLength(3);
    expect((await readItem(stack, first.body.request_id))?.callback).toEqual({ status: 'pending', attempts: 4, last_status: 'network_error' });
  });
});

describe('signing secrets per tenant', () => {
  const secretOf = async (target: Stack, apiKeyId: string) =>
    invokeThroughLambda(target, restEvent('GET', '/v1/webhook-secret', { resource: '/v1/webhook-secret', apiKeyId }));

  it("gives each tenant its own secret, and tenant A's does not sign a webhook tenant B accepts", async () => {
    stack = await startTestStack({ env: { CALLBACK_TIMEOUT_MS: '300' } });
    const [a, b, bAgain] = [await secretOf(stack, 'tenant-a'), await secretOf(stack, 'tenant-b'), await secretOf(stack, 'tenant-b')];
    expect([a.statusCode, b.statusCode]).toEqual([200, 200]);
    expect(b.headers?.['Cache-Control']).toBe('no-store');
    expect(b.json.secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(bAgain.json.secret).toBe(b.json.secret);
    expect(a.json.secret).not.toBe(b.json.secret);
    expect([a.json.secret, b.json.secret]).not.toContain(stack.config.webhookSecret);
    expect(await createClient({ baseUrl: stack.url }).webhookSecret()).toBe(await fetchWebhookSecret(stack.url));
    receiver = await startWebhookReceiver(b.json.secret);

    // Tenant B's request, and its webhook, signed with B's secret.
    const submitted = await invokeThroughLambda(stack, restEvent('POST', '/v1/invoke', { apiKeyId: 'tenant-b', body: { prompt: PROMPT, callback_url: `${receiver.url}/b` } }));
    expect(submitted.statusCode).toBe(202);
    await waitFor(() => (receiver!.deliveries.length === 1 ? true : undefined));
    expect(receiver.deliveries[0]).toMatchObject({ verified: true, body: { data: { request_id: submitted.json.request_id } } });

    // Tenant A forges an error for B's request with the one secret A can fetch.
    const forged = JSON.stringify({ type: 'request.error', timestamp: new Date().toISOString(), data: { request_id: submitted.json.request_id, status: 'error' } });
    const at = new Date();
    const response = await fetch(`${receiver.url}/b`, {
      method: 'POST',
      body: forged,
      headers: { 'webhook-id': 'msg_forged', 'webhook-timestamp': String(Math.floor(at.getTime() / 1000)), 'webhook-signature': new Webhook(a.json.secret).sign('msg_forged', at, forged) },
    });
    await response.text();
    expect(receiver.deliveries[1]).toMatchObject({ webhookId: 'msg_forged', verified: false });
  });
});

describe('webhooks, attacked', () => {
  it('gives two requests that share an id (an Idempotency-Key used again after the first expired) two webhook-ids', async () => {
    const clock = createTestClock();
    const { stack, receiver } = await start({ REQUEST_TTL_SECONDS: '7200' }, { handlerOverrides: { now: clock.now } });
    const headers = { 'Idempotency-Key': 'daily-report' };
    const first = await submitAccepted(stack.url, { prompt: PROMPT, callback_url: `${receiver.url}/hook` }, headers);
    await waitFor(() => (receiver.deliveries.length === 1 ? true : undefined));
    clock.advance(7300_000);
    const second = await submitAccepted(stack.url, { prompt: `${PROMPT} Again.`, callback_url: `${receiver.url}/hook` }, headers);
    await waitFor(() => (receiver.deliveries.length === 2 ? true : undefined));

    expect(second).toBe(first);
    const [one, two] = receiver.deliveries;
    expect(one!.webhookId).not.toBe(two!.webhookId);
    expect(two!.body.data.request_id).toBe(first);
  });

  it('gives up, logs and counts a webhook still owed when its request expires', async () => {
    const clock = createTestClock();
    const lines: string[] = [];
    const { stack, receiver } = await start(
      { REQUEST_TTL_SECONDS: '3600', REQUEST_DEADLINE_SECONDS: '600' },
      { handlerOverrides: { now: clock.now, metrics: createEmfMetrics('async-router', (line) => lines.push(line)) } },
    );
    receiver.answers.push(503, 503, 503);
    const requestId = await submitAccepted(stack.url, { prompt: PROMPT, callback_url: `${receiver.url}/hook` });
    await waitFor(async () => ((await readItem(stack, requestId))?.callback?.attempts === 3 ? true : undefined));

    clock.advance(3601_000);
    stack.sweep();
    await stack.lambda.idle();

    const item = await readItem(stack, requestId);
    expect(item?.callback).toEqual({ status: 'failed', attempts: 3, last_status: 503 });
    expect(item?.sweep_at).toBeUndefined();
    expect(lines.map((line) => JSON.parse(line)).filter((record) => record.WebhookFailures === 1)).toHaveLength(1);
    expect(receiver.deliveries).toHaveLength(3);
  });

  it('posts once when a deliver event and sweeps race for the same webhook', async () => {
    const { stack, receiver } = await start({ DEMO_TASK_MS: '60000' });
    const ids: string[] = [];
    for (let index = 0; index < 5; index += 1) ids.push(await submitAccepted(stack.url, { prompt: PROMPT, callback_url: `${receiver.url}/hook` }));
    await waitFor(async () => ((await Promise.all(ids.map((id) => readItem(stack, id)))).every((item) => item?.status === 'processing') ? true : undefined));
    // A receiver that never answers, so every run makes its three tries and lasts seconds.
    receiver.answers.push(...Array.from({ length: 100 }, () => 'hang' as const));
    // The cancels' deliver events come late (and twice); sweeps hand the same webhooks off first.
    Object.assign(stack.lambda.faults, { eventDelayMs: 1500, deliveriesPerEvent: 2 });
    for (const id of ids) expect((await call(stack.url, 'DELETE', `/v1/status/${id}`)).status).toBe(202);
    Object.assign(stack.lambda.faults, { eventDelayMs: 0, deliveriesPerEvent: 1 });
    stack.sweep();
    stack.sweep();
    await stack.lambda.idle();

    // One run per request (three tries), not one per event or sweep.
    const perRequest = ids.map((id) => receiver.deliveries.filter((delivery) => delivery.body.data.request_id === id).length);
    expect(perRequest).toEqual([3, 3, 3, 3, 3]);
    expect((await readItem(stack, ids[0]!))?.callback).toEqual({ status: 'pending', attempts: 3, last_status: 'timeout' });
  });
});
