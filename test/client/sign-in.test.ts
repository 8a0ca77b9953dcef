import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpError, UnauthorizedError, createClient } from '../../src/client/index.js';
import type { Stack } from '../../src/local/stack.js';
import { startJwtStack, type JwtStack } from '../support/jwt-stack.js';
import type { TestIssuer } from '../support/tokens.js';
import { recordingFetch } from './recording-fetch.js';

const AUDIENCE = 'async-router-client-test';
const PROMPT = 'Each user sees their own requests. Tokens say who is calling.';

/** The client against the real local stack with AUTH=jwt, and real tokens from the local OIDC issuer. */
describe('client with a bearer token on an AUTH=jwt stack', () => {
  let jwt: JwtStack;
  let issuer: TestIssuer;
  let stack: Stack;
  beforeAll(async () => {
    jwt = await startJwtStack(AUDIENCE);
    ({ issuer, stack } = jwt);
  });
  afterAll(() => jwt?.stop());

  it("submits and waits as a signed-in user; another user's token reads the same id as unknown", async () => {
    const alice = createClient({ baseUrl: stack.url, token: await jwt.tokenFor('alice') });
    const bob = createClient({ baseUrl: stack.url, token: await jwt.tokenFor('bob') });

    const view = await alice.wait(await alice.submit({ prompt: PROMPT }));
    const bobs = await bob.get(view.request_id).catch((caught: unknown) => caught);

    expect(view.status).toBe('complete');
    expect(bobs).toBeInstanceOf(HttpError);
    expect(bobs).toMatchObject({ status: 404, code: 'not_found' });
  });

  it("list walks the caller's own requests across pages, newest first, each once, none of another user's", async () => {
    const dave = createClient({ baseUrl: stack.url, token: await jwt.tokenFor('dave') });
    const erin = createClient({ baseUrl: stack.url, token: await jwt.tokenFor('erin') });
    const daves: string[] = [];
    const erins: string[] = [];
    for (let index = 0; index < 5; index += 1) {
      daves.push((await dave.submit({ prompt: `${PROMPT} ${index}` })).request_id);
      erins.push((await erin.submit({ prompt: `${PROMPT} ${index}` })).request_id);
    }
    const recorder = recordingFetch();
    const paged = createClient({ baseUrl: stack.url, token: await jwt.tokenFor('dave'), fetch: recorder.fetch });

    const pages = [];
    for await (const page of paged.list({ limit: 2 })) pages.push(page);
    const items = [];
    for await (const item of erin.list().items()) items.push(item);

    expect(pages.map((page) => page.requests.length)).toEqual([2, 2, 1]);
    expect(pages.flatMap((page) => page.requests.map((request) => request.request_id))).toEqual([...daves].reverse());
    expect(pages.at(-1)!.next_cursor).toBeNull();
    expect(recorder.calls.map((call) => call.status)).toEqual([200, 200, 200]);
    expect(items.map((item) => item.request_id)).toEqual([...erins].reverse());
    expect(items.every((item) => item.status_url === `${stack.url}/v1/status/${item.request_id}` && !('result' in item))).toBe(true);
  });

  it("a cursor from another user's page is refused as a 400 naming cursor", async () => {
    const dave = createClient({ baseUrl: stack.url, token: await jwt.tokenFor('dave') });
    const erin = createClient({ baseUrl: stack.url, token: await jwt.tokenFor('erin') });
    const { value: first } = await dave.list({ limit: 1 })[Symbol.asyncIterator]().next();

    const error = await erin.list({ cursor: first!.next_cursor! })[Symbol.asyncIterator]().next().catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(HttpError);
    expect(error).toMatchObject({ status: 400, body: { field: 'cursor' } });
  });

  it('asks the token function before each call: a token that expires mid-wait is replaced, and the wait goes on', async () => {
    const expired = await issuer.signWith({}, { sub: 'carol', aud: AUDIENCE, exp: Math.floor(Date.now() / 1000) - 120 });
    const fresh = await jwt.tokenFor('carol');
    let current = fresh;
    const recorder = recordingFetch();
    const client = createClient({ baseUrl: stack.url, token: () => current, fetch: recorder.fetch });
    const accepted = await client.submit({ prompt: PROMPT });

    current = expired;
    const refused = await client.get(accepted.request_id).catch((caught: unknown) => caught);
    current = fresh;
    const view = await client.wait(accepted);

    expect(refused).toBeInstanceOf(UnauthorizedError);
    expect(view.status).toBe('complete');
    expect(recorder.calls[1]).toMatchObject({ method: 'GET', status: 401 });
  });

  it('a refused token is an UnauthorizedError with the API sentence, and a wait does not retry it', async () => {
    const recorder = recordingFetch();
    const client = createClient({ baseUrl: stack.url, token: await issuer.sign({ sub: 'alice', aud: 'another-deployment' }), fetch: recorder.fetch });

    const error = await client.wait('00000000-0000-4000-8000-000000000000').catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(UnauthorizedError);
    expect(error).toMatchObject({ status: 401, code: 'invalid_token', challenge: 'invalid_token' });
    expect((error as UnauthorizedError).reason).toMatch(/another audience/);
    expect(recorder.calls).toHaveLength(1);
  });

  it('without a token: UnauthorizedError with no challenge error, and the sentence the API gave', async () => {
    const client = createClient({ baseUrl: stack.url });

    const error = await client.submit({ prompt: PROMPT }).catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(UnauthorizedError);
    expect(error).toMatchObject({ status: 401, code: 'token_required', challenge: undefined });
    expect((error as UnauthorizedError).reason.length).toBeGreaterThan(10);
  });
});
