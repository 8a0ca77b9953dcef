import { beforeAll, describe, expect, it } from 'vitest';
import { HttpError, UnauthorizedError, createClient } from '../../src/client/index.js';
import { useScriptedServer } from './scripted-server.js';

const ID = '11111111-1111-4111-8111-111111111111';
const CREATED = '2026-01-01T00:00:00.000Z';
const processing = { request_id: ID, status: 'processing', task: 'assess', created_at: CREATED, updated_at: CREATED };
const complete = { ...processing, status: 'complete', result: { summary: 'ok' } };
const EXPIRED_SENTENCE = 'The token has expired; sign in again.';

/**
 * A real HTTP server answering a script and keeping each request's headers: the client's side of a
 * bearer exchange, whatever verifies the token behind it.
 */
describe('client bearer tokens', () => {
  const server = useScriptedServer();
  const script = server.script;
  const received = () => server.received().map((request) => request.headers);
  let baseUrl: string;
  beforeAll(() => {
    baseUrl = server.baseUrl();
  });

  it('sends a fixed token as Authorization: Bearer on every call', async () => {
    script(
      { status: 202, body: { request_id: ID, status: 'pending', status_url: `${baseUrl}/v1/status/${ID}`, message: 'accepted' } },
      { status: 200, body: processing },
    );
    const client = createClient({ baseUrl, token: 'token-a' });

    await client.submit({ prompt: 'x' });
    await client.get(ID);

    expect(received().map((headers) => headers.authorization)).toEqual(['Bearer token-a', 'Bearer token-a']);
  });

  it('asks a token function before every call, retries included, so a refreshed token is used', async () => {
    script(
      { status: 503, headers: { 'Retry-After': '0' }, body: { error: 'busy', error_code: 'service_unavailable' } },
      { status: 200, body: complete },
      { status: 200, body: processing },
    );
    let issued = 0;
    const client = createClient({ baseUrl, token: async () => `token-${(issued += 1)}`, retry: { baseMs: 1, maxMs: 2 } });

    await client.wait(ID);
    await client.get(ID);

    // The 503's retry is a call of its own, with the token of that moment.
    expect(received().map((headers) => headers.authorization)).toEqual(['Bearer token-1', 'Bearer token-2', 'Bearer token-3']);
  });

  it('sends no Authorization header without a token', async () => {
    script({ status: 200, body: processing });
    const client = createClient({ baseUrl });

    await client.get(ID);

    expect(received()[0]!.authorization).toBeUndefined();
  });

  it('turns a 401 into an UnauthorizedError carrying the API sentence and challenge, without retrying', async () => {
    script(
      {
        status: 401,
        headers: { 'WWW-Authenticate': `Bearer error="invalid_token", error_description="${EXPIRED_SENTENCE}"` },
        body: { error: EXPIRED_SENTENCE, error_code: 'invalid_token' },
      },
      { status: 200, body: processing },
    );
    const client = createClient({ baseUrl, token: 'stale', retry: { baseMs: 1, maxMs: 2 } });

    const error = await client.wait(ID).catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(UnauthorizedError);
    expect(error).toBeInstanceOf(HttpError);
    expect(error).toMatchObject({ status: 401, code: 'invalid_token', challenge: 'invalid_token', reason: EXPIRED_SENTENCE });
    expect((error as Error).message).toContain(EXPIRED_SENTENCE);
    expect(received()).toHaveLength(1);
  });

  it('reads the sentence from the challenge when the 401 body has none, and says so when there is no challenge error', async () => {
    script(
      { status: 401, headers: { 'WWW-Authenticate': 'Bearer error="invalid_token", error_description="The token is for another audience."' }, body: '' },
      { status: 401, headers: { 'WWW-Authenticate': 'Bearer' }, body: { error: 'Sign in first: this API needs a bearer token.', error_code: 'unauthorized' } },
    );
    const client = createClient({ baseUrl });

    const refused = (await client.get(ID).catch((caught: unknown) => caught)) as UnauthorizedError;
    const missing = (await client.get(ID).catch((caught: unknown) => caught)) as UnauthorizedError;

    expect(refused).toMatchObject({ challenge: 'invalid_token', reason: 'The token is for another audience.' });
    expect(missing).toBeInstanceOf(UnauthorizedError);
    expect(missing).toMatchObject({ challenge: undefined, reason: 'Sign in first: this API needs a bearer token.' });
  });
});
