import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Stack } from '../../src/local/stack.js';
import { call, pollUntilTerminal, status, submit } from '../support/http.js';
import { validateResponse } from '../support/openapi.js';
import { startTestStack } from '../support/stack.js';

/** Every `call()` validates its answer against openapi/v1.yaml; these drive each documented answer once. */
describe('the API answers as openapi/v1.yaml says', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startTestStack();
  });
  afterAll(() => stack?.stop());

  it('documents submit, status (pending to complete), cancel and their errors', async () => {
    const accepted = await submit(stack.url, { prompt: 'One sentence here. Another one there.', session_id: 'user-1:tab.2' });
    expect(accepted.status).toBe(202);
    const { final } = await pollUntilTerminal(stack.url, accepted.body.request_id);
    expect(final.body.status).toBe('complete');
    expect((await status(stack.url, accepted.body.request_id, '?wait=1')).status).toBe(200);
    expect((await call(stack.url, 'DELETE', `/v1/status/${accepted.body.request_id}`)).status).toBe(409);

    const running = await submit(stack.url, { prompt: 'Cancel me.', task: 'summarize' });
    expect((await call(stack.url, 'DELETE', `/v1/status/${running.body.request_id}`)).status).toBe(202);

    expect((await submit(stack.url, { prompt: 'x', extra: true })).status).toBe(400);
    expect((await submit(stack.url, { prompt: 'x' }, { 'Idempotency-Key': 'k-1' })).status).toBe(202);
    expect((await submit(stack.url, { prompt: 'y' }, { 'Idempotency-Key': 'k-1' })).status).toBe(422);
    expect((await submit(stack.url, 'x'.repeat(129 * 1024))).status).toBe(413);
    expect((await status(stack.url, '00000000-0000-4000-8000-000000000000')).status).toBe(404);
    expect((await status(stack.url, 'not-a-uuid')).status).toBe(400);
    expect((await status(stack.url, accepted.body.request_id, '?wait=99')).status).toBe(400);
    expect((await call(stack.url, 'GET', '/v1/invoke')).status).toBe(405);
    expect((await call(stack.url, 'OPTIONS', '/v1/invoke')).status).toBe(204);
    expect((await call(stack.url, 'GET', '/v1/nothing-here')).status).toBe(404);
  });

  it('documents the 503 with Retry-After when dispatch is down', async () => {
    stack.lambda.faults.rejectInvokes = 3;
    const response = await submit(stack.url, { prompt: 'Refused.' });
    expect(response.status).toBe(503);
    expect(response.headers.get('Retry-After')).toMatch(/^\d+$/);
  });

  it('rejects answers that break the contract, saying what is wrong', () => {
    const headers = { 'Access-Control-Expose-Headers': 'Location,Retry-After', 'Cache-Control': 'no-store' };
    const view = { request_id: '00000000-0000-4000-8000-000000000000', status: 'done', task: 'assess', created_at: 'x', updated_at: 'x' };

    expect(() => validateResponse({ method: 'GET', path: `/v1/status/${view.request_id}`, status: 200, headers, body: view })).toThrow(
      /body does not match the schema: \/status must be equal to one of the allowed values/,
    );
    expect(() => validateResponse({ method: 'GET', path: '/v1/status/abc', status: 418, headers, body: {} })).toThrow(/status 418 is not documented/);
    expect(() => validateResponse({ method: 'POST', path: '/v1/invoke', status: 202, headers, body: {} })).toThrow(/missing required header Location/);
    expect(() => validateResponse({ method: 'GET', path: '/index.html', status: 200, headers: {}, body: undefined })).not.toThrow();
  });
});
