import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Stack } from '../../src/local/stack.js';
import { RequestStatus } from '../../src/contract.js';
import { scanItems } from '../support/items.js';
import { startTestStack } from '../support/stack.js';

const METHODS = ['GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'HEAD'];
const VALID_ID = '0b7c6f1e-8d7a-4c3e-9d3b-2f0a1b2c3d4e';
const safeText = fc.string({ unit: fc.constantFrom(...'abcXYZ019-_.~%/: ?&=é漢'.split('')), maxLength: 40 });
const headerValue = fc.string({ unit: fc.constantFrom(...'abc019-_.;=/ *,"'.split('')), maxLength: 60 });

const paths = fc.oneof(
  fc.constantFrom('/v1/invoke', `/v1/status/${VALID_ID}`, '/v1/status/', '/v1/status', '/v1', '/', '/api/v1/invoke', '/v1/invoke/extra'),
  safeText.map((text) => `/v1/status/${encodeURIComponent(text)}`),
  safeText.map((text) => `/${encodeURIComponent(text)}`),
  fc.tuple(fc.constantFrom('/v1/status/', '/v1/invoke'), safeText).map(([base, query]) => `${base}?wait=${encodeURIComponent(query)}`),
);

const jsonValue = fc.jsonValue({ maxDepth: 3 });
const bodies = fc.oneof(
  fc.constant(undefined),
  safeText,
  jsonValue.map((value) => JSON.stringify(value)),
  fc
    .record(
      { prompt: fc.oneof(fc.string({ maxLength: 50 }), jsonValue), session_id: fc.oneof(safeText, jsonValue), task: fc.oneof(fc.constantFrom('assess', 'summarize'), safeText) },
      { requiredKeys: [] },
    )
    .map((value) => JSON.stringify(value)),
);

const headers = fc.record(
  {
    'Content-Type': fc.constantFrom('application/json', 'text/plain', 'application/octet-stream', 'multipart/form-data; boundary=x'),
    'Idempotency-Key': headerValue,
    Origin: fc.constantFrom('https://app.example.com', 'null', 'http://localhost:5173'),
    Accept: headerValue,
  },
  { requiredKeys: [] },
);

describe('random requests at the HTTP front', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startTestStack({ env: { DEMO_TASK_MS: '0' } });
  });
  afterAll(() => stack?.stop());

  // A third of the cases are submits, many of them valid, so the table gets real items to check.
  const requests = fc.oneof(
    { weight: 2, arbitrary: fc.tuple(fc.constantFrom(...METHODS), paths, headers, bodies) },
    {
      weight: 1,
      arbitrary: fc.tuple(
        fc.constant('POST'),
        fc.constant('/v1/invoke'),
        headers,
        fc.record({ prompt: fc.string({ minLength: 1, maxLength: 200 }), task: fc.constantFrom('assess', 'summarize') }).map((value) => JSON.stringify(value)),
      ),
    },
  );

  it('never answer 5xx, always carry CORS, and always answer JSON', async () => {
    await fc.assert(
      fc.asyncProperty(requests, async ([method, path, requestHeaders, body]) => {
        const canHaveBody = method !== 'GET' && method !== 'HEAD';
        const response = await fetch(`${stack.url}${path}`, {
          method,
          headers: requestHeaders,
          ...(canHaveBody && body !== undefined ? { body } : {}),
        });
        const text = await response.text();
        expect(response.status, `${method} ${path} -> ${text}`).toBeLessThan(500);
        expect(response.headers.get('access-control-expose-headers')).toBe('Location,Retry-After');
        if (method !== 'HEAD' && response.status !== 204) expect(() => JSON.parse(text)).not.toThrow();
      }),
      { numRuns: 400 },
    );
  });

  it('leave only whole items in the table', async () => {
    await stack.lambda.idle();
    const items = await scanItems(stack);
    expect(items.length).toBeGreaterThan(0);
    for (const item of items) {
      expect(Object.values(RequestStatus)).toContain(item.status);
      expect(item).toMatchObject({
        request_id: expect.any(String),
        task: expect.stringMatching(/^(assess|summarize)$/),
        input: { prompt: expect.any(String) },
        created_at: expect.any(String),
        expires_at: expect.any(Number),
        deadline_at: expect.any(Number),
        attempt: expect.any(Number),
        max_attempts: 3,
      });
      expect(item.status === 'complete' || item.status === 'error').toBe(true);
    }
  });
});
