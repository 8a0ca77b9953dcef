import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Stack } from '../../src/local/stack.js';
import { closedPortUrl } from '../support/ports.js';
import { startTestStack } from '../support/stack.js';
import { startFaultProxy, type FaultProxy } from './fault-proxy.js';
import { cli, type CliRun } from './run-cli.js';

const CHECKS = ['preflight', 'submit', 'long-poll', 'cancel', 'unknown-id', 'wrong-method', 'cors'];
/** With a key or a token the caller has requests of its own, and check lists them too. */
const CHECKS_WITH_LIST = ['preflight', 'submit', 'long-poll', 'cancel', 'unknown-id', 'wrong-method', 'list', 'cors'];
/** The local stack gives a key no identity (no usage plans), so a key's list is refused as anonymous. */
const LIST_WITHOUT_IDENTITY = /^FAIL: GET http:\/\/127\.0\.0\.1:\d+\/v1\/requests(\?\S*)? answered 403: /;

/** The stdout lines of a text run, by check name: `PASS` or `FAIL: reason`. */
function lines(run: CliRun): Map<string, string> {
  const byName = new Map<string, string>();
  for (const line of run.stdout.trimEnd().split('\n')) {
    const match = /^(PASS|FAIL) ([a-z-]+)(?:: (.*))?$/.exec(line);
    expect(match, `not a check line: ${JSON.stringify(line)}`).not.toBeNull();
    byName.set(match![2]!, match![1] === 'PASS' ? 'PASS' : `FAIL: ${match![3]}`);
  }
  return byName;
}

function expectOnly(run: CliRun, failing: Record<string, RegExp>, names = CHECKS): void {
  const byName = lines(run);
  expect([...byName.keys()]).toEqual(names);
  for (const name of names) {
    if (failing[name] === undefined) expect(byName.get(name), name).toBe('PASS');
    else expect(byName.get(name), name).toMatch(failing[name]!);
  }
  expect(run.code).toBe(Object.keys(failing).length === 0 ? 0 : 1);
}

describe('async-request-router check', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startTestStack();
  });
  afterAll(() => stack?.stop());
  afterEach(() => {
    Object.assign(stack.lambda.faults, { rejectInvokes: 0, dropEvents: false });
  });

  it('passes every check on a healthy stack, one line each, exit 0', async () => {
    const run = await cli(['check', '--url', stack.url]);

    expect(run.stdout).toBe(`${CHECKS.map((name) => `PASS ${name}`).join('\n')}\n`);
    expect(run.stderr).toBe(`async-request-router: all 7 checks passed (${stack.url})\n`);
    expectOnly(run, {});
  });

  it('--json prints one document with each check, from ASYNC_ROUTER_URL; a trailing slash is fine', async () => {
    const run = await cli(['check', '--json'], { ASYNC_ROUTER_URL: `${stack.url}/` });

    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toEqual({ url: `${stack.url}/`, ok: true, checks: CHECKS.map((name) => ({ name, ok: true, reason: null })) });
  });

  it('a URL ending in /v1 (the version, copied along) is the same API: every check passes', async () => {
    const run = await cli(['check', '--url', `${stack.url}/v1`]);

    expectOnly(run, {});
  });

  it('dispatch refused (POST answers 503): submit and cancel fail with the answer, long-poll has nothing to poll, exit 1', async () => {
    stack.lambda.faults.rejectInvokes = 1_000;

    const run = await cli(['check', '--url', stack.url]);

    expectOnly(run, {
      submit: /^FAIL: POST http:\/\/127\.0\.0\.1:\d+\/v1\/invoke answered 503: /,
      'long-poll': /^FAIL: no request to poll: the submit failed \(POST .* answered 503: /,
      cancel: /^FAIL: could not submit a request to cancel: POST .* answered 503/,
    });
    expect(run.stderr).toContain('3 of 7 checks failed');
  });

  it('--json with a failure: ok false, each reason, exit 1', async () => {
    stack.lambda.faults.rejectInvokes = 1_000;

    const run = await cli(['check', '--json', '--url', stack.url]);

    expect(run.code).toBe(1);
    const document = JSON.parse(run.stdout);
    expect(document.ok).toBe(false);
    expect(document.checks.map((check: { name: string }) => check.name)).toEqual(CHECKS);
    expect(document.checks[1]).toMatchObject({ name: 'submit', ok: false, reason: expect.stringContaining('answered 503') });
    expect(document.checks[0]).toEqual({ name: 'preflight', ok: true, reason: null });
  });

  it('events accepted but never run: long-poll fails at --timeout with the last status; cancel still passes', async () => {
    stack.lambda.faults.dropEvents = true;

    const run = await cli(['check', '--timeout', '1', '--url', stack.url]);

    expectOnly(run, { 'long-poll': /^FAIL: not complete within 1 s \(last status: pending\); pass --timeout to wait longer$/ });
  });

  it('an unreachable URL fails every check with the network error, exit 1', async () => {
    const run = await cli(['check', '--url', await closedPortUrl()]);

    const byName = lines(run);
    expect([...byName.values()].every((line) => line.startsWith('FAIL: '))).toBe(true);
    expect(byName.get('preflight')).toContain('ECONNREFUSED');
    expect(run.code).toBe(1);
  });

  it('usage errors exit 2; --help lists check', async () => {
    const runs = await Promise.all([
      cli(['check', 'extra']),
      cli(['check', '--task', 'assess']),
      cli(['check', '--timeout', '0']),
      cli(['check', '--origin', 'https://app.example.com/path']),
      cli(['check', '--origin', 'nope']),
      cli(['status', 'x', '--origin', 'https://app.example.com']),
      cli(['check', '--url', 'localhost:3000']),
      cli(['check'], { ASYNC_ROUTER_URL: 'ftp://127.0.0.1' }),
    ]);
    for (const run of runs) {
      expect(run.code, run.stderr).toBe(2);
      expect(run.stderr).toContain('async-request-router --help');
      expect(run.stdout).toBe('');
    }
    expect(runs[1]!.stderr).toContain('--task only applies to submit');
    expect(runs[5]!.stderr).toContain('--origin only applies to check');
    expect(runs[6]!.stderr).toContain('--url must be an http(s) URL');
    expect(runs[7]!.stderr).toContain('ASYNC_ROUTER_URL must be an http(s) URL');
    const help = await cli(['--help']);
    expect(help.stdout).toMatch(/^ {2}check {13}post-deploy check/m);
  });
});

describe('async-request-router check on the function URL front', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startTestStack({ front: 'function_url' });
  });
  afterAll(() => stack?.stop());

  it('passes every check', async () => {
    expectOnly(await cli(['check', '--url', stack.url]), {});
  });
});

describe('async-request-router check with origins restricted', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startTestStack({ env: { CORS_ALLOW_ORIGINS: 'https://app.example.com' } });
  });
  afterAll(() => stack?.stop());

  it('fails cors for an origin the deployment does not allow, and names --origin', async () => {
    const run = await cli(['check', '--url', stack.url]);

    expectOnly(run, { cors: /^FAIL: the 204 answer to OPTIONS \/v1\/invoke has no Access-Control-Allow-Origin \(Origin sent: https:\/\/example\.com; use --origin/ });
  });

  it('passes with --origin set to an allowed one', async () => {
    expectOnly(await cli(['check', '--origin', 'https://app.example.com', '--url', stack.url]), {});
  });
});

describe('async-request-router check behind a misconfigured front', () => {
  let stack: Stack;
  let proxy: FaultProxy;
  beforeAll(async () => {
    stack = await startTestStack();
    proxy = await startFaultProxy(stack.url);
  });
  afterAll(async () => {
    await proxy?.stop();
    await stack?.stop();
  });
  afterEach(() => {
    proxy.faults.dropHeaders = [];
    delete proxy.faults.optionsStatus;
    delete proxy.faults.delay;
    delete proxy.faults.apiKey;
    proxy.seen.length = 0;
  });

  it('passes through a faithful proxy, sending the key on every call but the preflight', async () => {
    const run = await cli(['check', '--url', proxy.url, '--key', 'k-123']);

    expectOnly(run, { list: LIST_WITHOUT_IDENTITY }, CHECKS_WITH_LIST);
    const preflights = proxy.seen.filter((call) => call.method === 'OPTIONS');
    const others = proxy.seen.filter((call) => call.method !== 'OPTIONS');
    expect(preflights.length).toBe(1);
    expect(preflights[0]!.headers['x-api-key']).toBeUndefined();
    expect(preflights[0]!.headers['access-control-request-headers']).toBe('content-type,idempotency-key,x-api-key');
    expect(new Set(others.map((call) => call.method))).toEqual(new Set(['POST', 'GET', 'DELETE', 'PUT']));
    for (const call of proxy.seen) expect(call.headers.origin).toBe('https://example.com');
    for (const call of others) expect(call.headers['x-api-key'], `${call.method} ${call.path}`).toBe('k-123');
  });

  it('a stage that requires an API key: every call fails without --key, with a hint; all pass with it (list aside: no key identity locally)', async () => {
    proxy.faults.apiKey = 'k-123';

    expectOnly(await cli(['check', '--url', proxy.url]), {
      submit: /^FAIL: POST http:\/\/127\.0\.0\.1:\d+\/v1\/invoke answered 403: Forbidden \(if the API requires a key, pass --key\)$/,
      'long-poll': /^FAIL: no request to poll: the submit failed \(.* answered 403: Forbidden\) \(if the API requires a key, pass --key\)$/,
      cancel: /answered 403: Forbidden \(if the API requires a key, pass --key\)$/,
      'unknown-id': /^FAIL: GET \/v1\/status\/<random id> answered 403, expected 404: Forbidden \(if the API requires a key, pass --key\)$/,
      'wrong-method': /^FAIL: PUT \/v1\/invoke answered 403, expected 405: Forbidden \(if the API requires a key, pass --key\)$/,
    });
    expectOnly(await cli(['check', '--url', proxy.url], { ASYNC_ROUTER_API_KEY: 'k-123' }), { list: LIST_WITHOUT_IDENTITY }, CHECKS_WITH_LIST);
  });

  it('a preflight the gateway refuses (a key required on OPTIONS) fails preflight and cors', async () => {
    proxy.faults.optionsStatus = 403;

    expectOnly(await cli(['check', '--url', proxy.url]), {
      preflight: /^FAIL: OPTIONS \/v1\/invoke answered 403, expected 2xx: Forbidden$/,
      cors: /^FAIL: the 403 answer to OPTIONS \/v1\/invoke has no Access-Control-Allow-Origin/,
    });
  });

  it('no Retry-After: submit and long-poll fail', async () => {
    proxy.faults.dropHeaders = ['retry-after'];

    expectOnly(await cli(['check', '--url', proxy.url]), {
      submit: /^FAIL: the 202 has no Retry-After header$/,
      'long-poll': /^FAIL: a (pending|processing) status answer has Retry-After \(none\), expected a number of seconds$/,
    });
  });

  it('no Location: submit fails', async () => {
    proxy.faults.dropHeaders = ['location'];

    expectOnly(await cli(['check', '--url', proxy.url]), { submit: /^FAIL: the 202 has no Location header$/ });
  });

  it('no Allow on the 405: wrong-method fails', async () => {
    proxy.faults.dropHeaders = ['allow'];

    expectOnly(await cli(['check', '--url', proxy.url]), { 'wrong-method': /^FAIL: the 405 has no Allow header$/ });
  });

  it('Location and Retry-After not exposed to browsers: cors fails', async () => {
    proxy.faults.dropHeaders = ['access-control-expose-headers'];

    expectOnly(await cli(['check', '--url', proxy.url]), { cors: /^FAIL: the 202 answer to POST \/v1\/invoke does not expose Location and Retry-After/ });
  });

  it('a request that finished before its DELETE arrived is tried again with a fresh one', async () => {
    proxy.faults.delay = { method: 'DELETE', ms: 1_500, count: 1 };

    expectOnly(await cli(['check', '--url', proxy.url]), {});
    expect(proxy.seen.filter((call) => call.method === 'DELETE').length).toBe(2);
  });

  it('cancel fails with the reason when every DELETE comes too late (409)', async () => {
    proxy.faults.delay = { method: 'DELETE', ms: 1_500, count: 3 };

    expectOnly(await cli(['check', '--url', proxy.url]), {
      cancel: /^FAIL: DELETE answered 409 \(already finished\) for each of 3 fresh requests: they end before a cancel can reach them$/,
    });
  });
});
