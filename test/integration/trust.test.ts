import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { sdkConfig } from '../../src/aws-clients.js';
import { delay } from '../../src/delay.js';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../../src/local/stack.js';
import { createLambdaDispatcher, type Dispatcher } from '../../src/requests/dispatcher.js';
import { DispatchFailedError } from '../../src/requests/errors.js';
import type { Stack } from '../../src/local/stack.js';
import { invokeThroughLambda, restEvent } from '../support/events.js';
import { call, pollUntilTerminal, status, submit } from '../support/http.js';
import { startTestStack } from '../support/stack.js';
import { startBlackHole } from '../support/black-hole.js';
import { startTcpProxy } from '../support/tcp-proxy.js';

const PROMPT = 'Tenants are kept apart. Ids cannot be guessed.';

/** What the first version derived from an Idempotency-Key: a bare SHA-256, computable by anyone. */
function keyDigestId(key: string, scope = ''): string {
  const bytes = createHash('sha256').update(`idempotency\0${scope}\0${key}`).digest().subarray(0, 16);
  bytes[6] = (bytes[6]! & 0x0f) | 0x80;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

describe('trust: routes, tenants, ids and URLs', () => {
  let stack: Stack;
  beforeAll(async () => {
    // A 3 s task: the tenant test's own cancel must find its request still running after eight calls on a loaded machine.
    stack = await startTestStack({ env: { DEMO_TASK_MS: '3000' } });
  });
  afterAll(() => stack?.stop());

  it('never routes an event that came through the {proxy+} catch-all to a v1 handler', async () => {
    const accepted = await submit(stack.url, { prompt: PROMPT });
    const id = accepted.body.request_id as string;
    const events = [
      restEvent('POST', '/x/v1/invoke', { resource: '/{proxy+}', body: { prompt: PROMPT } }),
      restEvent('GET', `/x/v1/status/${id}`, { resource: '/{proxy+}' }),
      restEvent('DELETE', `/x/v1/status/${id}`, { resource: '/{proxy+}' }),
      restEvent('GET', `/v1/status/${id}`, { resource: '/{proxy+}' }),
    ];

    const answers = await Promise.all(events.map((event) => invokeThroughLambda(stack, event)));

    expect(answers.map((answer) => answer.statusCode)).toEqual([404, 404, 404, 404]);
    expect((await status(stack.url, id)).body.status).not.toBe('error'); // the DELETE cancelled nothing
  });

  it('answers a path under another prefix with 404 at the local front too, repeating at most 200 characters of it', async () => {
    const response = await call(stack.url, 'POST', '/x/v1/invoke', { body: { prompt: PROMPT } });
    const long = await call(stack.url, 'GET', `/${'x'.repeat(8000)}`);
    expect(response.status).toBe(404);
    expect(long.status).toBe(404);
    expect(long.body.error.length).toBeLessThan(400);
  });

  it("keeps one API key's requests from another key: the same 404 as an unknown id", async () => {
    const created = await invokeThroughLambda(stack, restEvent('POST', '/v1/invoke', { body: { prompt: PROMPT }, apiKeyId: 'key-a' }));
    expect(created.statusCode).toBe(202);
    const id = created.json.request_id as string;
    const unknown = await invokeThroughLambda(stack, restEvent('GET', '/v1/status/00000000-0000-4000-8000-000000000000', { apiKeyId: 'key-b' }));

    const ownRead = await invokeThroughLambda(stack, restEvent('GET', `/v1/status/${id}`, { apiKeyId: 'key-a' }));
    const otherRead = await invokeThroughLambda(stack, restEvent('GET', `/v1/status/${id}`, { apiKeyId: 'key-b' }));
    const otherLongPoll = await invokeThroughLambda(stack, restEvent('GET', `/v1/status/${id}`, { apiKeyId: 'key-b', query: { wait: '1' } }));
    const otherCancel = await invokeThroughLambda(stack, restEvent('DELETE', `/v1/status/${id}`, { apiKeyId: 'key-b' }));
    const keyless = await invokeThroughLambda(stack, restEvent('GET', `/v1/status/${id}`));

    expect(ownRead.statusCode).toBe(200);
    for (const answer of [otherRead, otherLongPoll, otherCancel, keyless]) {
      expect(answer.statusCode).toBe(404);
      expect(answer.body).toBe(unknown.body);
    }
    const after = await invokeThroughLambda(stack, restEvent('GET', `/v1/status/${id}`, { apiKeyId: 'key-a' }));
    expect(after.json.error_code).not.toBe('cancelled');
    const ownCancel = await invokeThroughLambda(stack, restEvent('DELETE', `/v1/status/${id}`, { apiKeyId: 'key-a' }));
    expect(ownCancel.statusCode).toBe(202);
  });

  it('builds status_url and Location from the API domain and stage, never from Host or X-Forwarded-Proto', async () => {
    const answer = await invokeThroughLambda(
      stack,
      restEvent('POST', '/v1/invoke', { body: { prompt: PROMPT }, headers: { Host: 'evil.example', 'X-Forwarded-Proto': 'javascript' } }),
    );
    const expected = `https://abc123.execute-api.eu-west-1.amazonaws.com/api/v1/status/${answer.json.request_id}`;
    expect(answer.json.status_url).toBe(expected);
    expect(answer.headers?.Location).toBe(expected);

    const local = await submit(stack.url, { prompt: PROMPT }, { Host: 'evil.example', 'X-Forwarded-Proto': 'javascript' });
    expect(local.body.status_url).toBe(`${stack.url}/v1/status/${local.body.request_id}`);
  });

  it('refuses a body that is not JSON by its Content-Type with 415 naming the field, and stores nothing', async () => {
    for (const contentType of ['text/plain', 'application/x-www-form-urlencoded']) {
      const refused = await call(stack.url, 'POST', '/v1/invoke', {
        body: JSON.stringify({ prompt: PROMPT }),
        headers: { 'Content-Type': contentType, 'Idempotency-Key': `ct-${contentType.length}` },
      });
      expect(refused.status).toBe(415);
      expect(refused.body).toMatchObject({ error_code: 'unsupported_media_type', field: 'Content-Type' });
      const json = await submit(stack.url, { prompt: PROMPT }, { 'Idempotency-Key': `ct-${contentType.length}` });
      expect(json.status).toBe(202);
      expect(json.headers.get('idempotent-replayed')).toBeNull();
    }
    const charset = await call(stack.url, 'POST', '/v1/invoke', { body: JSON.stringify({ prompt: PROMPT }), headers: { 'Content-Type': 'application/json; charset=utf-8' } });
    expect(charset.status).toBe(202);
  });
});

describe('trust: ids handed out for an Idempotency-Key', () => {
  const dirs: string[] = [];
  const stacks: Stack[] = [];
  afterAll(async () => {
    for (const stack of stacks) await stack.stop();
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });
  const start = async (dataDir: string) => {
    const stack = await startTestStack({ dataDir });
    stacks.push(stack);
    return stack;
  };
  const freshDir = () => {
    const dir = mkdtempSync(join(tmpdir(), 'router-trust-'));
    dirs.push(dir);
    return dir;
  };

  it('cannot be computed from the key: two deployments give two ids, and the digest of the key reads 404', async () => {
    const first = await start(freshDir());
    const second = await start(freshDir());
    const key = 'job-42';

    const a = await submit(first.url, { prompt: PROMPT }, { 'Idempotency-Key': key });
    const replay = await submit(first.url, { prompt: PROMPT }, { 'Idempotency-Key': key });
    const b = await submit(second.url, { prompt: PROMPT }, { 'Idempotency-Key': key });

    expect(a.status).toBe(202);
    expect(replay.body.request_id).toBe(a.body.request_id);
    expect(b.body.request_id).not.toBe(a.body.request_id);
    for (const guess of [keyDigestId(key), keyDigestId(key, 'null')]) {
      expect((await status(first.url, guess)).status).toBe(404);
      expect((await call(first.url, 'DELETE', `/v1/status/${guess}`)).status).toBe(404);
    }
  });

  it('keeps the same id for a key across a restart of the same deployment', async () => {
    const dir = freshDir();
    const before = await start(dir);
    const first = await submit(before.url, { prompt: PROMPT }, { 'Idempotency-Key': 'survives-restart' });
    await before.stop();
    stacks.splice(stacks.indexOf(before), 1);

    const after = await start(dir);
    const again = await submit(after.url, { prompt: PROMPT }, { 'Idempotency-Key': 'survives-restart' });

    expect(again.body.request_id).toBe(first.body.request_id);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
  });
});

describe('trust: every 202 means work that will run', () => {
  let stack: Stack | undefined;
  const closers: Array<() => Promise<void>> = [];
  afterEach(async () => {
    await stack?.stop();
    stack = undefined;
    for (const close of closers.splice(0)) await close();
  });

  it('dispatches again when a replay finds a request that was stored but never dispatched', async () => {
    // The function reaches the table and Lambda through proxies. The moment it calls Lambda (which
    // refuses), the table's link is cut, so the clean-up delete fails too: the request stays stored
    // and undispatched, and the caller is told the outcome is not known (500), not that nothing started.
    let endpoints = { dynamodb: '', lambda: '' };
    const toDynamo = await startTcpProxy(() => endpoints.dynamodb);
    const toLambda = await startTcpProxy(() => endpoints.lambda, () => toDynamo.cut());
    closers.push(toDynamo.stop, toLambda.stop);
    stack = await startTestStack({ env: { DYNAMODB_ENDPOINT: toDynamo.url, LAMBDA_ENDPOINT: toLambda.url } });
    endpoints = { dynamodb: stack.dynamo.endpoint, lambda: stack.lambda.endpoint };
    stack.lambda.faults.rejectInvokes = 3;

    const refused = await submit(stack.url, { prompt: PROMPT }, { 'Idempotency-Key': 'undispatched-1' });
    toDynamo.restore();
    const replay = await submit(stack.url, { prompt: PROMPT }, { 'Idempotency-Key': 'undispatched-1' });
    const { final } = await pollUntilTerminal(stack.url, replay.body.request_id, { timeoutMs: 10_000 });

    expect(refused.status).toBe(500);
    expect(refused.body.error_code).toBe('outcome_unknown');
    expect(stack.lambda.faults.rejectInvokes).toBe(0);
    expect(replay.status).toBe(202);
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    expect(final.body).toMatchObject({ status: 'complete' });
  });

  it("never lets the first call's clean-up remove a request a replay has accepted meanwhile, and answers it 202 as well", async () => {
    // The interleaving (the first dispatch fails only after the replay's has succeeded) cannot be
    // caused reliably through the shared Lambda connection, so a wrapper around the real
    // dispatcher holds the first dispatch for 1.5 s and then fails it, as the SDK does after its retries.
    let real: Dispatcher | undefined;
    let dispatches = 0;
    stack = await startTestStack({
      handlerOverrides: {
        dispatcher: async () => ({
          async dispatch(requestId, functionName) {
            dispatches += 1;
            if (dispatches === 1) {
              await delay(1500);
              throw new DispatchFailedError('invoke failed after the SDK retries');
            }
            return real!.dispatch(requestId, functionName);
          },
        }),
      },
    });
    real = createLambdaDispatcher(new LambdaClient(sdkConfig({ region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS, endpoint: stack.lambda.endpoint })));
    // A backed-up async queue: the replay's event is still waiting when the first call cleans up.
    stack.lambda.faults.eventDelayMs = 2500;
    const body = { prompt: PROMPT };

    const first = submit(stack.url, body, { 'Idempotency-Key': 'raced-1' });
    await delay(300);
    const replay = await submit(stack.url, body, { 'Idempotency-Key': 'raced-1' });
    const original = await first;
    const { final } = await pollUntilTerminal(stack.url, replay.body.request_id, { timeoutMs: 10_000 });

    expect(dispatches).toBe(2);
    expect(replay.status).toBe(202);
    expect(original.status).toBe(202);
    expect(original.body.request_id).toBe(replay.body.request_id);
    expect(final.body.status).toBe('complete');
  });

  it.each(['DYNAMODB_ENDPOINT', 'LAMBDA_ENDPOINT'])('answers 503 in seconds, not the gateway 504, when %s accepts connections and never answers', async (variable) => {
    const hole = await startBlackHole();
    closers.push(hole.stop);
    stack = await startTestStack({ gatewayTimeoutMs: 20_000, env: { [variable]: hole.url } });

    const response = await submit(stack.url, { prompt: PROMPT }, { 'Idempotency-Key': `hole-${variable}` });

    // The front answers 504 once its 20 s cut passes: a 503 is the handler giving up first.
    expect(response.status).toBe(503);
  });
});
