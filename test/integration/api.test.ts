import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Stack } from '../../src/local/stack.js';
import { call, pollUntilTerminal, status, submit } from '../support/http.js';
import { readItem } from '../support/items.js';
import { startTestStack } from '../support/stack.js';

const PROMPT = 'Serverless functions scale to zero. They cost nothing when idle. Functions that run long need another pattern.';
const UNKNOWN_ID = '00000000-0000-4000-8000-000000000000';

function expectCors(headers: Headers): void {
  expect(headers.get('access-control-allow-origin')).toBe('*');
  expect(headers.get('access-control-expose-headers')).toBe('Location,Retry-After');
}

describe('v1 API over HTTP', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startTestStack();
  });
  afterAll(() => stack?.stop());

  it('accepts a prompt with 202, Location and Retry-After, then reaches complete with a result', async () => {
    const accepted = await submit(stack.url, { prompt: PROMPT, session_id: 'demo-1' });

    expect(accepted.status).toBe(202);
    expectCors(accepted.headers);
    expect(accepted.body).toMatchObject({ status: 'pending', message: expect.any(String) });
    expect(accepted.body.request_id).toMatch(/^[0-9a-f-]{36}$/);
    expect(accepted.headers.get('location')).toBe(`${stack.url}/v1/status/${accepted.body.request_id}`);
    expect(accepted.body.status_url).toBe(accepted.headers.get('location'));
    expect(Number(accepted.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);

    const { final, responses } = await pollUntilTerminal(stack.url, accepted.body.request_id);
    expect(final.status).toBe(200);
    expect(final.body).toMatchObject({
      request_id: accepted.body.request_id,
      status: 'complete',
      task: 'assess',
      session_id: 'demo-1',
      progress: { percent: 100, message: 'Done' },
      result: { word_count: 17, sentence_count: 3, keywords: expect.any(Array), summary: expect.any(String) },
    });
    expect(final.headers.get('cache-control')).toBe('no-store');
    expect(final.headers.get('retry-after')).toBeNull();
    for (const response of responses.slice(0, -1)) expect(response.headers.get('retry-after')).toMatch(/^\d+$/);
  });

  it('runs the task the caller names', async () => {
    const accepted = await submit(stack.url, { prompt: PROMPT, task: 'summarize' });
    const { final } = await pollUntilTerminal(stack.url, accepted.body.request_id);
    expect(final.body).toMatchObject({ status: 'complete', task: 'summarize', result: { summary: expect.any(String) } });
  });

  it('reports progress while the task runs', async () => {
    const slow = await startTestStack({ env: { DEMO_TASK_MS: '1200' } });
    try {
      const accepted = await submit(slow.url, { prompt: PROMPT });
      const { responses } = await pollUntilTerminal(slow.url, accepted.body.request_id, { intervalMs: 100 });
      const percents = responses.map((response) => response.body.progress?.percent).filter((percent) => percent !== undefined);
      expect(new Set(percents).size).toBeGreaterThanOrEqual(3);
      expect(percents).toEqual([...percents].sort((a, b) => a - b));
    } finally {
      await slow.stop();
    }
  });

  it.each([
    ['bad JSON', '{"prompt":', 'body'],
    ['a missing prompt', { session_id: 'x' }, 'prompt'],
    ['a non-string prompt', { prompt: ['a'] }, 'prompt'],
    ['an unknown task', { prompt: 'x', task: 'mine-bitcoin' }, 'task'],
  ])('answers %s with 400 naming the field, with CORS and no stack trace', async (_, body, field) => {
    const response = await submit(stack.url, body);
    expect(response.status).toBe(400);
    expectCors(response.headers);
    expect(response.body).toMatchObject({ error_code: 'invalid_request', field, error: expect.stringContaining(`${field}:`) });
    expect(response.text).not.toMatch(/\bat .*\.(ts|js|mjs):\d+/);
  });

  it('answers 404 for an unknown id and 400 for a malformed one', async () => {
    const unknown = await status(stack.url, UNKNOWN_ID);
    expect(unknown.status).toBe(404);
    expectCors(unknown.headers);
    expect(unknown.body).toMatchObject({ error_code: 'not_found' });

    const malformed = await status(stack.url, 'not-an-id');
    expect(malformed.status).toBe(400);
    expect(malformed.body.field).toBe('request_id');
  });

  it('answers a wrong method with 405 and Allow, an unknown route with 404', async () => {
    const wrongMethod = await call(stack.url, 'PUT', '/v1/invoke', { body: {} });
    expect(wrongMethod.status).toBe(405);
    expect(wrongMethod.headers.get('allow')).toBe('POST, OPTIONS');
    expectCors(wrongMethod.headers);

    const unknownRoute = await call(stack.url, 'GET', '/v1/nothing-here');
    expect(unknownRoute.status).toBe(404);
    expect(unknownRoute.body.error_code).toBe('route_not_found');
    expectCors(unknownRoute.headers);
  });

  it('answers a CORS preflight with the allowed methods and headers', async () => {
    const preflight = await call(stack.url, 'OPTIONS', '/v1/invoke', {
      headers: { Origin: 'https://app.example.com', 'Access-Control-Request-Method': 'POST' },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-methods')).toContain('POST');
    expect(preflight.headers.get('access-control-allow-headers')).toContain('Idempotency-Key');
    expectCors(preflight.headers);
  });

  it('refuses an 11 MB body at the gateway with 413 and CORS, and a 200 KB one in the handler', async () => {
    const huge = await call(stack.url, 'POST', '/v1/invoke', { body: `{"prompt":"${'x'.repeat(11 * 1024 * 1024)}"}` });
    expect(huge.status).toBe(413);
    expectCors(huge.headers);
    expect(huge.body).toEqual({ message: 'Request Too Long' });

    const large = await submit(stack.url, { prompt: 'x'.repeat(200 * 1024) });
    expect(large.status).toBe(413);
    expect(large.body).toMatchObject({ error_code: 'payload_too_large', field: 'body' });
  });

  it('keeps no trace of a refused request in the table', async () => {
    const response = await submit(stack.url, { prompt: 'x', task: 'nope' }, { 'Idempotency-Key': 'refused-1' });
    expect(response.status).toBe(400);
    const retried = await submit(stack.url, { prompt: 'x' }, { 'Idempotency-Key': 'refused-1' });
    expect(retried.status).toBe(202);
    expect(retried.headers.get('idempotent-replayed')).toBeNull();
  });

  it('stores the input in the table and sends only the id in the async event', async () => {
    const accepted = await submit(stack.url, { prompt: 'Where does my prompt live?' });
    await pollUntilTerminal(stack.url, accepted.body.request_id);
    const item = await readItem(stack, accepted.body.request_id);
    expect(item).toMatchObject({ input: { prompt: 'Where does my prompt live?' }, status: 'complete', attempt: 1, lease_until: 0 });
    expect(item?.expires_at).toBeGreaterThan(Date.now() / 1000 + 3600);
  });
});

describe('CORS with an origin list', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startTestStack({ env: { CORS_ALLOW_ORIGINS: 'https://app.example.com' } });
  });
  afterAll(() => stack?.stop());

  it('echoes an allowed origin, on errors too, and gives none to other origins', async () => {
    const allowed = await call(stack.url, 'GET', `/v1/status/${UNKNOWN_ID}`, { headers: { Origin: 'https://app.example.com' } });
    expect(allowed.status).toBe(404);
    expect(allowed.headers.get('access-control-allow-origin')).toBe('https://app.example.com');
    expect(allowed.headers.get('vary')).toBe('Origin');

    const other = await call(stack.url, 'GET', `/v1/status/${UNKNOWN_ID}`, { headers: { Origin: 'https://evil.example' } });
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
  });
});
