import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOCAL_AUDIENCE } from '../../src/local/oidc-issuer.js';
import type { Stack } from '../../src/local/stack.js';
import { call, submit } from '../support/http.js';
import { startNpmStart } from '../support/npm-start.js';
import { ensureBuilt, startTestStack } from '../support/stack.js';

const PROMPT = 'A local issuer signs tokens. The function verifies them.';

async function token(endpoint: string, body: unknown): Promise<{ status: number; headers: Headers; json: Record<string, unknown> }> {
  const response = await fetch(endpoint, { method: 'POST', headers: { 'Content-Type': 'application/json', Origin: 'http://127.0.0.1:3000' }, body: JSON.stringify(body) });
  return { status: response.status, headers: response.headers, json: (await response.json()) as Record<string, unknown> };
}

describe('the local stack with its own token issuer (AUTH=jwt)', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startTestStack({ localIssuer: { port: 0 }, webDir: 'src/web' });
  });
  afterAll(() => stack?.stop());

  it('tells the demo page how to sign in at /config.json', async () => {
    const config = await (await fetch(`${stack.url}/config.json`)).json();

    expect(config).toEqual({ auth: 'jwt', issuer: stack.issuer!.issuer, token_endpoint: `${stack.issuer!.issuer}/token`, audience: LOCAL_AUDIENCE });
  });

  it('hands out a token for any user at /token, across origins, that the function accepts', async () => {
    const preflight = await fetch(stack.demo.token_endpoint!, { method: 'OPTIONS', headers: { Origin: 'http://127.0.0.1:3000', 'Access-Control-Request-Method': 'POST' } });
    const issued = await token(stack.demo.token_endpoint!, { sub: 'alice', ttl_seconds: 600 });

    const accepted = await submit(stack.url, { prompt: PROMPT }, { Authorization: `Bearer ${issued.json.access_token}` });
    const listed = await call(stack.url, 'GET', '/v1/requests', { headers: { Authorization: `Bearer ${issued.json.access_token}` } });
    const refused = await submit(stack.url, { prompt: PROMPT });

    expect([preflight.status, preflight.headers.get('access-control-allow-origin')]).toEqual([204, '*']);
    expect(issued).toMatchObject({ status: 200, json: { token_type: 'Bearer', expires_in: 600 } });
    expect(issued.headers.get('access-control-allow-origin')).toBe('*');
    expect(accepted.status).toBe(202);
    expect(listed.body.requests.map((item: { request_id: string }) => item.request_id)).toEqual([accepted.body.request_id]);
    expect(refused.status).toBe(401);
  });

  it('refuses a token request without a subject, or with a bad lifetime, naming the field', async () => {
    const answers = await Promise.all([token(stack.demo.token_endpoint!, {}), token(stack.demo.token_endpoint!, { sub: 'a', ttl_seconds: 0 }), token(stack.demo.token_endpoint!, { sub: 'a', aud: 7 })]);

    expect(answers.map((answer) => [answer.status, answer.json.field])).toEqual([[400, 'sub'], [400, 'ttl_seconds'], [400, 'aud']]);
  });

  it('a token for another audience is refused by the function', async () => {
    const other = await token(stack.demo.token_endpoint!, { sub: 'alice', aud: 'another-app' });

    expect((await submit(stack.url, { prompt: PROMPT }, { Authorization: `Bearer ${other.json.access_token}` })).status).toBe(401);
  });
});

describe('the local stack without AUTH', () => {
  it('says so at /config.json and runs no issuer', async () => {
    const stack = await startTestStack({ webDir: 'src/web' });
    try {
      expect(await (await fetch(`${stack.url}/config.json`)).json()).toEqual({ auth: 'api_key', issuer: null, token_endpoint: null, audience: null });
      expect(stack.issuer).toBeUndefined();
    } finally {
      await stack.stop();
    }
  });
});

describe('AUTH=jwt npm start', () => {
  let dataDir: string;
  let started: ReturnType<typeof startNpmStart>;
  beforeAll(async () => {
    ensureBuilt();
    dataDir = mkdtempSync(join(tmpdir(), 'npm-start-jwt-'));
    started = startNpmStart({ PORT: '0', DATA_DIR: dataDir, AUTH: 'jwt' });
    await started.banner();
  }, 60_000);
  afterAll(async () => {
    await started?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('prints how to get a token, and the function takes the token the printed endpoint gives', async () => {
    const output = started.lines.join('\n');
    const endpoint = /curl -s -X POST (http:\/\/127\.0\.0\.1:\d+\/token)/.exec(output)?.[1];
    const apiUrl = /API base URL\s+(http:\/\/127\.0\.0\.1:\d+)/.exec(output)?.[1];
    expect(output).toContain(`Sign-in   AUTH=jwt: every call needs Authorization: Bearer <token>`);
    expect(output).toContain('async-request-router token --sub alice');

    const issued = await token(endpoint!, { sub: 'alice' });
    const accepted = await submit(apiUrl!, { prompt: PROMPT }, { Authorization: `Bearer ${issued.json.access_token}` });
    const refused = await submit(apiUrl!, { prompt: PROMPT });

    expect([accepted.status, refused.status]).toEqual([202, 401]);
  });
});

describe('FRONT=http_api with AUTH=jwt: the front verifies, as an HTTP API JWT authorizer does', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startTestStack({ localIssuer: { port: 0 }, front: 'http_api' });
  });
  afterAll(() => stack?.stop());

  it('answers a call without a valid token itself, and passes the verified claims on for the rest', async () => {
    const bearer = async (sub: string, aud = LOCAL_AUDIENCE) => ({ Authorization: `Bearer ${await stack.issuer!.sign({ sub, aud })}` });
    const refused = await Promise.all([
      fetch(`${stack.url}/v1/requests`),
      fetch(`${stack.url}/v1/requests`, { headers: await bearer('alice', 'another-app') }),
    ]);

    const accepted = await submit(stack.url, { prompt: PROMPT }, await bearer('alice'));
    const own = await call(stack.url, 'GET', `/v1/status/${accepted.body.request_id}`, { headers: await bearer('alice') });
    const other = await call(stack.url, 'GET', `/v1/status/${accepted.body.request_id}`, { headers: await bearer('bob') });
    const listed = await call(stack.url, 'GET', '/v1/requests', { headers: await bearer('alice') });

    for (const answer of refused) expect({ status: answer.status, body: await answer.json() }).toEqual({ status: 401, body: { message: 'Unauthorized' } });
    expect([accepted.status, own.status, other.status]).toEqual([202, 200, 404]);
    expect(listed.body.requests.map((item: { request_id: string }) => item.request_id)).toEqual([accepted.body.request_id]);
  });
});
