import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Stack } from '../../src/local/stack.js';
import { startJwtStack, type JwtStack } from '../support/jwt-stack.js';
import { closedPortUrl } from '../support/ports.js';
import type { TestIssuer } from '../support/tokens.js';
import { CLI, cli } from './run-cli.js';

const AUDIENCE = 'async-router-cli-test';
const PROMPT = 'Each user lists their own requests. Nobody sees anyone else.';

/** The built CLI against the real local stack with AUTH=jwt and real tokens from the local OIDC issuer. */
describe('async-request-router as a signed-in user (AUTH=jwt)', () => {
  let jwt: JwtStack;
  let issuer: TestIssuer;
  let stack: Stack;
  let alice: string;
  let bob: string;
  beforeAll(async () => {
    expect(existsSync(CLI), `${CLI} is missing: run node build.mjs first`).toBe(true);
    jwt = await startJwtStack(AUDIENCE);
    ({ issuer, stack } = jwt);
    alice = await jwt.tokenFor('alice');
    bob = await jwt.tokenFor('bob');
  });
  afterAll(() => jwt?.stop());

  it('ASYNC_ROUTER_TOKEN and --token sign the calls in: submit and status as alice, bob gets the unknown-id 404', async () => {
    const submitted = await cli(['submit', PROMPT, '--json', '--url', stack.url], { ASYNC_ROUTER_TOKEN: alice });
    const { request_id: requestId } = JSON.parse(submitted.stdout);
    const asAlice = await cli(['status', requestId, '--json', '--url', stack.url, '--token', alice]);
    const asBob = await cli(['status', requestId, '--url', stack.url], { ASYNC_ROUTER_TOKEN: bob });

    expect(submitted.code, submitted.stderr).toBe(0);
    expect(asAlice.code, asAlice.stderr).toBe(0);
    expect(JSON.parse(asAlice.stdout).request_id).toBe(requestId);
    expect(asBob.code).toBe(1);
    expect(asBob.stderr).toMatch(/answered 404/);
  });

  it('without a token: exit 1 with the API 401 sentence; a refused token the same, with the reason', async () => {
    const missing = await cli(['submit', PROMPT, '--url', stack.url]);
    const refused = await cli(['status', '00000000-0000-4000-8000-000000000000', '--json', '--url', stack.url, '--token', await issuer.sign({ sub: 'alice', aud: 'elsewhere' })]);

    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/^async-request-router: POST http:\/\/127\.0\.0\.1:\d+\/v1\/invoke answered 401: \S/);
    expect(refused.code).toBe(1);
    expect(JSON.parse(refused.stdout)).toMatchObject({ error: 'http', status: 401, error_code: 'invalid_token' });
    expect(refused.stderr).toMatch(/another audience/);
  });

  it('list shows only the caller own requests, newest first, as a table or --json', async () => {
    const ids: string[] = [];
    for (const prompt of [`${PROMPT} One.`, `${PROMPT} Two.`]) {
      const run = await cli(['submit', prompt, '--json', '--url', stack.url, '--task', 'summarize'], { ASYNC_ROUTER_TOKEN: alice });
      ids.push(JSON.parse(run.stdout).request_id);
    }
    const bobs = await cli(['submit', PROMPT, '--json', '--url', stack.url], { ASYNC_ROUTER_TOKEN: bob });
    const bobId = JSON.parse(bobs.stdout).request_id as string;

    const table = await cli(['list', '--url', stack.url], { ASYNC_ROUTER_TOKEN: alice });
    const json = await cli(['list', '--json', '--limit', '2', '--url', stack.url], { ASYNC_ROUTER_TOKEN: alice });
    const bobsList = await cli(['list', '--json', '--url', stack.url], { ASYNC_ROUTER_TOKEN: bob });

    expect(table.code, table.stderr).toBe(0);
    const lines = table.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^ID +STATUS +TASK +CREATED \(UTC\) +PROGRESS$/);
    expect(lines[1]).toMatch(new RegExp(`^${ids[1]} +(pending|processing|complete) +summarize +\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d +\\d+%$`));
    expect(table.stdout).toContain(ids[0]);
    expect(table.stdout).not.toContain(bobId);
    const listed = JSON.parse(json.stdout);
    expect(listed.requests.map((request: { request_id: string }) => request.request_id)).toEqual([ids[1], ids[0]]);
    expect(listed.more).toBe(true);
    expect(listed.requests[0]).not.toHaveProperty('result');
    expect(JSON.parse(bobsList.stdout).requests.map((request: { request_id: string }) => request.request_id)).toEqual([bobId]);
  });

  it('list --status keeps only that status; a --limit above the API page size (100) is taken', async () => {
    const pending = await cli(['list', '--json', '--status', 'error', '--url', stack.url], { ASYNC_ROUTER_TOKEN: alice });
    const all = await cli(['list', '--json', '--limit', '150', '--url', stack.url], { ASYNC_ROUTER_TOKEN: alice });

    expect(pending.code, pending.stderr).toBe(0);
    expect(JSON.parse(pending.stdout)).toEqual({ requests: [], more: false });
    expect(all.code, all.stderr).toBe(0);
    const requests = JSON.parse(all.stdout).requests as { request_id: string }[];
    expect(new Set(requests.map((request) => request.request_id)).size).toBe(requests.length);
    expect(JSON.parse(all.stdout).more).toBe(false);
  });

  it('check with a token adds the list round trip, and every check passes', async () => {
    const run = await cli(['check', '--url', stack.url, '--token', alice]);

    expect(run.stdout).toMatch(/^PASS list$/m);
    expect(run.code, run.stdout).toBe(0);
  });

  it("token prints a token from the issuer's dev endpoint that the stack accepts; --json prints the whole answer", async () => {
    const printed = await cli(['token', '--sub', 'frank', '--aud', AUDIENCE, '--issuer', issuer.issuer]);
    const json = await cli(['token', '--sub', 'frank', '--aud', AUDIENCE, '--ttl', '120', '--json'], { ASYNC_ROUTER_ISSUER: issuer.issuer });
    const listed = await cli(['list', '--json', '--url', stack.url], { ASYNC_ROUTER_TOKEN: printed.stdout.trim() });

    expect(printed.code, printed.stderr).toBe(0);
    expect(printed.stdout).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+\n$/);
    expect(JSON.parse(json.stdout)).toMatchObject({ token_type: 'Bearer', expires_in: 120, access_token: expect.any(String) });
    expect(listed.code, listed.stderr).toBe(0);
    expect(JSON.parse(listed.stdout)).toEqual({ requests: [], more: false });
  });

  it('token against an issuer that is not running: exit 1 naming the URL and the refused connection', async () => {
    const run = await cli(['token', '--sub', 'alice', '--issuer', await closedPortUrl()]);

    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/POST http:\/\/127\.0\.0\.1:\d+\/token failed: .*ECONNREFUSED/);
  });

  it('usage errors exit 2: list and token options, and token without an issuer for a deployed URL', async () => {
    const runs = await Promise.all([
      cli(['list', 'extra']),
      cli(['list', '--status', 'done']),
      cli(['list', '--limit', '0']),
      cli(['status', 'x', '--limit', '3']),
      cli(['token']),
      cli(['token', '--sub', 'alice', '--ttl', '-5']),
      cli(['token', '--sub', 'alice', '--url', 'https://abc.execute-api.eu-west-1.amazonaws.com/api']),
    ]);
    for (const run of runs) {
      expect(run.code, run.stderr).toBe(2);
      expect(run.stdout).toBe('');
    }
    expect(runs[1]!.stderr).toContain('--status must be one of: pending, processing, complete, error');
    expect(runs[3]!.stderr).toContain('--limit only applies to list');
    expect(runs[4]!.stderr).toContain('token needs --sub');
    expect(runs[6]!.stderr).toContain('--issuer URL or ASYNC_ROUTER_ISSUER');
  });
});
