import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Stack } from '../../src/local/stack.js';
import { requestIdForKey } from '../../src/requests/idempotency.js';
import { newPendingRequest } from '../../src/requests/model.js';
import { invokeThroughLambda, restEvent } from '../support/events.js';
import { call, submit, type ApiResponse } from '../support/http.js';
import { readItem, writeItem } from '../support/items.js';
import { closedPortUrl } from '../support/ports.js';
import { startTestStack } from '../support/stack.js';
import { forged, startTestIssuer, type TestIssuer } from '../support/tokens.js';

const AUDIENCE = 'async-router-sign-in-test';
const PROMPT = 'Signed-in users see their own requests. Nobody else does.';
const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });

let issuer: TestIssuer;
let stack: Stack;

beforeAll(async () => {
  issuer = await startTestIssuer();
  stack = await startTestStack({ env: { AUTH: 'jwt', JWT_ISSUER: issuer.issuer, JWT_AUDIENCE: AUDIENCE } });
});
afterAll(async () => {
  await stack?.stop();
  await issuer?.stop();
});

function expectRefusedToken(response: ApiResponse, sentence: RegExp): void {
  expect({ status: response.status, code: response.body?.error_code }).toEqual({ status: 401, code: 'invalid_token' });
  expect(response.headers.get('www-authenticate')).toMatch(/^Bearer error="invalid_token", error_description="[^"\\]+"$/);
  expect(response.body.error).toMatch(sentence);
}

describe('AUTH=jwt over the local front: a bad token gets 401, never access and never a 500', () => {
  it('without a token: 401 with a bare Bearer challenge (RFC 6750 §3.1)', async () => {
    const response = await submit(stack.url, { prompt: PROMPT });

    expect({ status: response.status, code: response.body.error_code, challenge: response.headers.get('www-authenticate') }).toEqual({ status: 401, code: 'token_required', challenge: 'Bearer' });
  });

  it('expired, past the leeway', async () => {
    const token = await issuer.signWith({}, { aud: AUDIENCE, exp: Math.floor(Date.now() / 1000) - 120 });
    expectRefusedToken(await submit(stack.url, { prompt: PROMPT }, bearer(token)), /expired/);
  });

  it('not valid yet (nbf ten minutes ahead)', async () => {
    const token = await issuer.signWith({ nbf: Math.floor(Date.now() / 1000) + 600 }, { aud: AUDIENCE });
    expectRefusedToken(await submit(stack.url, { prompt: PROMPT }, bearer(token)), /not valid yet/);
  });

  it('for another audience', async () => {
    const token = await issuer.sign({ sub: 'alice', aud: 'some-other-app' });
    expectRefusedToken(await submit(stack.url, { prompt: PROMPT }, bearer(token)), /another audience/);
  });

  it('naming another issuer, though signed with the right key', async () => {
    const token = await issuer.signWith({}, { aud: AUDIENCE, iss: 'https://evil.example.com' });
    expectRefusedToken(await submit(stack.url, { prompt: PROMPT }, bearer(token)), /another issuer/);
  });

  it('with a payload swapped for another subject (bad signature)', async () => {
    const token = forged.swappedPayload(await issuer.sign({ sub: 'alice', aud: AUDIENCE }), issuer.issuer, AUDIENCE);
    expectRefusedToken(await submit(stack.url, { prompt: PROMPT }, bearer(token)), /signature does not verify/);
  });

  it('with alg "none"', async () => {
    const { kid } = await issuer.key();
    expectRefusedToken(await submit(stack.url, { prompt: PROMPT }, bearer(forged.unsigned(issuer.issuer, AUDIENCE, kid))), /accepted algorithm|malformed/);
  });

  it('HS256-signed with the issuer\'s public key as the secret', async () => {
    const { kid, publicJwk } = await issuer.key();
    expectRefusedToken(await submit(stack.url, { prompt: PROMPT }, bearer(forged.hmacWithPublicKey(issuer.issuer, AUDIENCE, kid, publicJwk))), /accepted algorithm/);
  });

  it('signed with a key of an unknown kid', async () => {
    const token = await forged.unknownKey(issuer.issuer, AUDIENCE, 'not-a-published-kid');
    expectRefusedToken(await submit(stack.url, { prompt: PROMPT }, bearer(token)), /signing key is not one of the issuer's/);
  });

  it('from another deployment: its own issuer, this audience', async () => {
    const other = await startTestIssuer();
    try {
      const token = await other.sign({ sub: 'alice', aud: AUDIENCE });
      // Its key id is unknown here, so the key lookup refuses it before the issuer is compared.
      expectRefusedToken(await submit(stack.url, { prompt: PROMPT }, bearer(token)), /signing key is not one of the issuer's|another issuer/);
    } finally {
      await other.stop();
    }
  });

  it('that is no JWT at all, on a status read too', async () => {
    const response = await call(stack.url, 'GET', '/v1/status/00000000-0000-4000-8000-000000000000', { headers: bearer('not-a-token') });
    expectRefusedToken(response, /malformed/);
  });

  it('a valid token is accepted', async () => {
    const response = await submit(stack.url, { prompt: PROMPT }, bearer(await issuer.sign({ sub: 'alice', aud: AUDIENCE })));
    expect(response.status).toBe(202);
  });
});

describe('AUTH=jwt with an issuer that cannot be reached', () => {
  it('answers 503 with Retry-After and no internal detail', async () => {
    const down = await startTestStack({ env: { AUTH: 'jwt', JWT_ISSUER: await closedPortUrl(), JWT_AUDIENCE: AUDIENCE } });
    try {
      const token = await issuer.sign({ sub: 'alice', aud: AUDIENCE });

      const response = await submit(down.url, { prompt: PROMPT }, bearer(token));

      expect({ status: response.status, code: response.body.error_code }).toEqual({ status: 503, code: 'issuer_unavailable' });
      expect(Number(response.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(response.body.error).not.toMatch(/discovery|ECONNREFUSED|127\.0\.0\.1/);
    } finally {
      await down.stop();
    }
  });
});

describe('owners: everything of a request follows the user who created it', () => {
  const as = async (sub: string) => bearer(await issuer.sign({ sub, aud: AUDIENCE }));

  it('another user reads, long-polls and cancels the unknown-id 404; the owner reads and cancels', async () => {
    const alice = await as('alice');
    const bob = await as('bob');
    const id = (await submit(stack.url, { prompt: PROMPT }, alice)).body.request_id as string;

    const bobRead = await call(stack.url, 'GET', `/v1/status/${id}`, { headers: bob });
    const bobPoll = await call(stack.url, 'GET', `/v1/status/${id}?wait=1`, { headers: bob });
    const bobCancel = await call(stack.url, 'DELETE', `/v1/status/${id}`, { headers: bob });
    const unknown = await call(stack.url, 'GET', '/v1/status/00000000-0000-4000-8000-000000000000', { headers: bob });
    const aliceRead = await call(stack.url, 'GET', `/v1/status/${id}`, { headers: alice });

    expect([bobRead.status, bobPoll.status, bobCancel.status]).toEqual([404, 404, 404]);
    expect([bobRead.body, bobCancel.body]).toEqual([unknown.body, unknown.body]);
    expect(aliceRead.status).toBe(200);
    expect((await call(stack.url, 'DELETE', `/v1/status/${id}`, { headers: alice })).status).toBe(202);
  });

  it('two users with the same Idempotency-Key get two requests; each replays their own', async () => {
    const key = { 'Idempotency-Key': 'shared-key-1' };
    const alice = { ...(await as('alice')), ...key };
    const bob = { ...(await as('bob')), ...key };

    const a1 = await submit(stack.url, { prompt: PROMPT }, alice);
    const b1 = await submit(stack.url, { prompt: 'Another body altogether.' }, bob);
    const a2 = await submit(stack.url, { prompt: PROMPT }, alice);

    expect([a1.status, b1.status, a2.status]).toEqual([202, 202, 202]);
    expect(b1.body.request_id).not.toBe(a1.body.request_id);
    expect(a2.body.request_id).toBe(a1.body.request_id);
  });

  it('each user has their own webhook secret', async () => {
    const alice = await call(stack.url, 'GET', '/v1/webhook-secret', { headers: await as('alice') });
    const aliceAgain = await call(stack.url, 'GET', '/v1/webhook-secret', { headers: await as('alice') });
    const bob = await call(stack.url, 'GET', '/v1/webhook-secret', { headers: await as('bob') });

    expect(alice.body.secret).toBe(aliceAgain.body.secret);
    expect(bob.body.secret).not.toBe(alice.body.secret);
  });
});

describe('owners, with API keys (AUTH=api_key)', () => {
  let keyed: Stack;
  beforeAll(async () => {
    keyed = await startTestStack();
  });
  afterAll(() => keyed?.stop());

  it('a request stored before owners (api_key_id only) is still its key\'s, and nobody else\'s', async () => {
    const legacy = newPendingRequest({ requestId: '11111111-2222-4333-8444-555555555555', task: 'assess', input: { prompt: PROMPT }, nowMs: Date.now(), ttlSeconds: 3600, deadlineSeconds: 600, maxAttempts: 3, sweepGraceSeconds: 600 });
    await writeItem(keyed, { ...legacy, api_key_id: 'key-old' });
    const path = `/v1/status/${legacy.request_id}`;

    const own = await invokeThroughLambda(keyed, restEvent('GET', path, { apiKeyId: 'key-old' }));
    const other = await invokeThroughLambda(keyed, restEvent('GET', path, { apiKeyId: 'key-new' }));
    const anonymous = await invokeThroughLambda(keyed, restEvent('GET', path));
    const otherCancel = await invokeThroughLambda(keyed, restEvent('DELETE', path, { apiKeyId: 'key-new' }));
    const ownCancel = await invokeThroughLambda(keyed, restEvent('DELETE', path, { apiKeyId: 'key-old' }));

    expect([own.statusCode, other.statusCode, anonymous.statusCode, otherCancel.statusCode, ownCancel.statusCode]).toEqual([200, 404, 404, 404, 202]);
  });

  it('a new request is stored with its owner, and an API key\'s Idempotency-Key gives the id it gave before owners', async () => {
    const answer = await invokeThroughLambda(keyed, restEvent('POST', '/v1/invoke', { apiKeyId: 'key-a', body: { prompt: PROMPT, session_id: 's-1' }, headers: { 'Idempotency-Key': 'k-1' } }));
    const item = await readItem(keyed, answer.json.request_id as string);

    expect(answer.json.request_id).toBe(requestIdForKey(keyed.config.requestIdSecret, 'key-a', 'k-1'));
    expect(item).toMatchObject({ owner: 'key:key-a', session_id: 's-1' });
    expect(item?.api_key_id).toBeUndefined();
  });
});

describe('GET /v1/requests: my requests, and nobody else\'s', () => {
  const as = async (sub: string) => bearer(await issuer.sign({ sub, aud: AUDIENCE }));

  it('lists the caller\'s own, newest first, a page at a time, with a cursor no other caller can use', async () => {
    const carol = await as('carol');
    const dave = await as('dave');
    const ids: string[] = [];
    for (const index of [1, 2, 3]) ids.push((await submit(stack.url, { prompt: `${PROMPT} ${index}`, session_id: 'tab-1' }, carol)).body.request_id as string);
    await submit(stack.url, { prompt: PROMPT }, dave);

    const first = await call(stack.url, 'GET', '/v1/requests?limit=2', { headers: carol });
    const second = await call(stack.url, 'GET', `/v1/requests?limit=2&cursor=${encodeURIComponent(first.body.next_cursor)}`, { headers: carol });
    const stolen = await call(stack.url, 'GET', `/v1/requests?limit=2&cursor=${encodeURIComponent(first.body.next_cursor)}`, { headers: dave });
    const altered = await call(stack.url, 'GET', `/v1/requests?cursor=${encodeURIComponent(`x${first.body.next_cursor}`)}`, { headers: carol });

    expect(first.status).toBe(200);
    expect([...first.body.requests, ...second.body.requests].map((item: { request_id: string }) => item.request_id)).toEqual([...ids].reverse());
    expect(second.body.next_cursor).toBeNull();
    expect(first.body.requests[0]).toMatchObject({ session_id: 'tab-1', status_url: `${stack.url}/v1/status/${ids[2]}` });
    expect(first.body.requests[0].result).toBeUndefined();
    expect(first.headers.get('cache-control')).toBe('no-store');
    for (const refused of [stolen, altered]) expect({ status: refused.status, field: refused.body.field }).toEqual({ status: 400, field: 'cursor' });
  });

  it('filters by status, and refuses a bad status or limit naming the field', async () => {
    const erin = await as('erin');
    const id = (await submit(stack.url, { prompt: PROMPT }, erin)).body.request_id as string;
    await submit(stack.url, { prompt: PROMPT }, erin);
    await call(stack.url, 'DELETE', `/v1/status/${id}`, { headers: erin });

    const errors = await call(stack.url, 'GET', '/v1/requests?status=error', { headers: erin });
    const badStatus = await call(stack.url, 'GET', '/v1/requests?status=done', { headers: erin });
    const badLimits = await Promise.all(['0', '101', 'ten'].map((limit) => call(stack.url, 'GET', `/v1/requests?limit=${limit}`, { headers: erin })));

    expect(errors.body.requests.map((item: { request_id: string; error_code: string }) => [item.request_id, item.error_code])).toEqual([[id, 'cancelled']]);
    expect({ status: badStatus.status, field: badStatus.body.field }).toEqual({ status: 400, field: 'status' });
    expect(badLimits.map((answer) => [answer.status, answer.body.field])).toEqual([[400, 'limit'], [400, 'limit'], [400, 'limit']]);
  });

  it('answers a bad token 401 here too', async () => {
    expectRefusedToken(await call(stack.url, 'GET', '/v1/requests', { headers: bearer('not-a-token') }), /malformed/);
  });
});

describe('GET /v1/requests without an identity (AUTH=api_key, no keys)', () => {
  let open: Stack;
  beforeAll(async () => {
    open = await startTestStack();
  });
  afterAll(() => open?.stop());

  it('refuses the anonymous tenant with 403 identity_required; an API key lists its own', async () => {
    const anonymous = await call(open.url, 'GET', '/v1/requests');
    await invokeThroughLambda(open, restEvent('POST', '/v1/invoke', { apiKeyId: 'key-l', body: { prompt: PROMPT } }));
    const keyed = await invokeThroughLambda(open, restEvent('GET', '/v1/requests', { resource: '/v1/requests', apiKeyId: 'key-l' }));

    expect({ status: anonymous.status, code: anonymous.body.error_code }).toEqual({ status: 403, code: 'identity_required' });
    expect(keyed.statusCode).toBe(200);
    expect(keyed.json.requests).toHaveLength(1);
  });
});
