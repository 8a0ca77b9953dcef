import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startApiGateway, type ApiGateway, type ApiGatewayOptions, type StaticSite } from '../../src/local/api-gateway.js';
import type { InvokeOutcome } from '../../src/local/lambda-scheduler.js';
import type { Stack } from '../../src/local/stack.js';
import { createStaticSite } from '../../src/local/static-site.js';
import { rawRequest } from '../support/http.js';
import { startTestStack } from '../support/stack.js';

const OK: InvokeOutcome = { statusCode: 200, payload: { statusCode: 200, headers: { 'Content-Type': 'application/json' }, body: '{"ok":true}' } };
const NOT_FOUND: InvokeOutcome = { statusCode: 200, payload: { statusCode: 404, body: '{"error":"no such route"}' } };
const SECRET = 'secret-detail-from-the-exception';

/** Answers true when `text` holds an exception's message or a stack frame. */
const leaks = (text: string) => text.includes(SECRET) || /\n\s+at /.test(text);

describe('the local API Gateway front', () => {
  let gateway: ApiGateway | undefined;
  const events: APIGatewayProxyEvent[] = [];

  async function start(options: Partial<ApiGatewayOptions> = {}): Promise<ApiGateway> {
    gateway = await startApiGateway({
      invoke: async (event) => {
        events.push(event as APIGatewayProxyEvent);
        return OK;
      },
      timeoutMs: 5000,
      stage: 'local',
      accountId: '000000000000',
      ...options,
    });
    return gateway;
  }

  afterEach(async () => {
    await gateway?.stop();
    gateway = undefined;
    events.length = 0;
  });

  it("sets requestContext.domainName to its own address, never to the client's Host", async () => {
    const { url } = await start();

    await rawRequest(url, 'POST', '/v1/invoke', { Host: 'evil.example', 'Content-Type': 'application/json' });

    expect(events[0]!.requestContext.domainName).toBe(new URL(url).host);
    expect(events[0]!.requestContext.domainName).toMatch(/^127\.0\.0\.1:\d+$/);
    // The client's headers still reach the function, as API Gateway forwards them.
    expect(events[0]!.headers.Host).toBe('evil.example');
  });

  it('sets X-Forwarded-Proto itself, dropping whatever the client sent in any spelling', async () => {
    const { url } = await start();

    await rawRequest(url, 'GET', '/v1/status/x', { 'x-forwarded-proto': 'https', 'X-FORWARDED-PROTO': 'gopher' });

    const sent = (headers: Record<string, unknown>) => Object.entries(headers).filter(([name]) => name.toLowerCase() === 'x-forwarded-proto');
    expect(sent(events[0]!.headers)).toEqual([['X-Forwarded-Proto', 'http']]);
    expect(sent(events[0]!.multiValueHeaders)).toEqual([['X-Forwarded-Proto', ['http']]]);
  });

  it('passes a path parameter that is not valid percent-encoding on raw, and decodes a valid one', async () => {
    const { url } = await start();

    const malformed = await rawRequest(url, 'GET', '/v1/status/%ZZ');
    const lone = await rawRequest(url, 'DELETE', '/v1/status/%');
    const valid = await rawRequest(url, 'GET', '/v1/status/a%20b');

    expect([malformed.status, lone.status, valid.status]).toEqual([200, 200, 200]);
    expect(events.map((event) => event.pathParameters)).toEqual([{ request_id: '%ZZ' }, { request_id: '%' }, { request_id: 'a b' }]);
  });

  describe('with a static site', () => {
    let root: string;
    beforeAll(() => {
      root = mkdtempSync(join(tmpdir(), 'async-router-site-'));
      writeFileSync(join(root, 'index.html'), '<h1>demo</h1>');
    });
    afterAll(() => rmSync(root, { recursive: true, force: true }));

    it('treats a path that cannot be decoded as no file, so the function answers it', async () => {
      const { url } = await start({ site: createStaticSite(root), invoke: async () => NOT_FOUND });

      const answers = await Promise.all(['/%ZZ', '/%', '/index%ZZ.html'].map((path) => rawRequest(url, 'GET', path)));
      const index = await rawRequest(url, 'GET', '/');

      expect(answers.map((answer) => answer.status)).toEqual([404, 404, 404]);
      expect(index).toMatchObject({ status: 200, text: '<h1>demo</h1>' });
    });
  });

  it('never answers with an exception, whatever fails inside it', async () => {
    const failingSite: StaticSite = {
      get: async () => {
        throw new Error(SECRET);
      },
    };
    const throwing = await start({
      invoke: async () => {
        throw new Error(SECRET);
      },
    });
    const fromInvoke = await rawRequest(throwing.url, 'GET', '/v1/status/x');
    await throwing.stop();
    const bad = await start({ invoke: async () => ({ statusCode: 200, payload: { statusCode: 1000, body: SECRET } }) });
    const fromBadStatus = await rawRequest(bad.url, 'GET', '/v1/status/x');
    await bad.stop();
    const badHeader = await start({ invoke: async () => ({ statusCode: 200, payload: { statusCode: 200, headers: { 'X-Bad': 'a\nb' }, body: SECRET } }) });
    const fromBadHeader = await rawRequest(badHeader.url, 'GET', '/v1/status/x');
    await badHeader.stop();
    const site = await start({ site: failingSite });
    const fromSite = await rawRequest(site.url, 'GET', '/index.html');

    for (const answer of [fromInvoke, fromBadStatus, fromBadHeader, fromSite]) {
      expect(answer.status).toBeGreaterThanOrEqual(500);
      expect(JSON.parse(answer.text)).toEqual({ message: 'Internal server error' });
      expect(leaks(answer.text)).toBe(false);
    }
  });
});

describe('malformed URLs through the whole local stack', () => {
  let stack: Stack;
  let site: string;
  beforeAll(async () => {
    site = mkdtempSync(join(tmpdir(), 'async-router-site-'));
    writeFileSync(join(site, 'index.html'), '<h1>demo</h1>');
    stack = await startTestStack({ webDir: site });
  });
  afterAll(async () => {
    await stack?.stop();
    rmSync(site, { recursive: true, force: true });
  });

  it.each([
    ['GET', '/v1/status/%ZZ', 400],
    ['DELETE', '/v1/status/%', 400],
    ['GET', '/v1/status/%E0%A4%A', 400],
    ['GET', '/%ZZ', 404],
    ['GET', '/v1/%ZZ', 404],
  ])('%s %s answers %i, never a 5xx', async (method, path, expected) => {
    const answer = await rawRequest(stack.url, method, path);
    expect(answer.status).toBe(expected);
    if (expected === 400) expect(JSON.parse(answer.text)).toMatchObject({ field: 'request_id' });
    expect(leaks(answer.text)).toBe(false);
  });

  it('answers a request target that is not a URL (absolute form) with 400, at the front and at the Invoke API', async () => {
    const atFront = await rawRequest(stack.url, 'POST', 'http://[/v1/invoke');
    const atInvoke = await rawRequest(stack.lambda.endpoint, 'POST', 'http://[/2015-03-31/functions/x/invocations');

    expect([atFront.status, atInvoke.status]).toEqual([400, 400]);
    expect(JSON.parse(atFront.text)).toEqual({ message: 'Bad Request' });
    expect(leaks(atFront.text) || leaks(atInvoke.text)).toBe(false);
  });
});
