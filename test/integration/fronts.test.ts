import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Stack } from '../../src/local/stack.js';
import { invokeThroughLambda } from '../support/events.js';
import { call, pollUntilTerminal, submit } from '../support/http.js';
import { startTestStack } from '../support/stack.js';

// Events shaped as AWS sends them from each front (written after the fields of AWS's sample events:
// REST API payload 1.0 without requestContext.path, HTTP API payload 2.0 with a named stage, a
// Lambda function URL), sent to the real handler through the local Lambda Invoke API.

const fixture = (name: string) => JSON.parse(readFileSync(new URL(`../fixtures/events/${name}.json`, import.meta.url), 'utf8'));

/** The same call as `event`, as a GET of `path` (status reads, unknown paths). */
function asGet(event: any, path: string, routeKey?: string): any {
  if (event.version === '2.0') {
    const rawPath = event.requestContext.stage === '$default' ? path : `/${event.requestContext.stage}${path}`;
    const key = routeKey ?? event.routeKey;
    return { ...event, routeKey: key, rawPath, body: undefined, pathParameters: key === '$default' ? undefined : { request_id: path.split('/').at(-1) }, requestContext: { ...event.requestContext, routeKey: key, http: { ...event.requestContext.http, method: 'GET', path: rawPath } } };
  }
  return { ...event, httpMethod: 'GET', resource: '/v1/status/{request_id}', path, pathParameters: { request_id: path.split('/').at(-1) }, body: null };
}

describe('every front reaches the same handler', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startTestStack();
  });
  afterAll(() => stack?.stop());

  it.each([
    ['a REST API event with its stage only in requestContext.stage', 'rest-api-no-context-path', 'https://b7x2k9q4m1.execute-api.eu-west-1.amazonaws.com/prod'],
    ['an HTTP API (payload 2.0) event with a named stage', 'http-api-v2', 'https://q8w3e5r7t9.execute-api.eu-west-1.amazonaws.com/prod'],
    ['a function URL event', 'function-url', 'https://abcdefghijklmnopqrstuvwxyz012345.lambda-url.eu-west-1.on.aws'],
  ])('accepts %s, with a status_url and Location that include the stage, and reads it back', async (_, name, base) => {
    const event = fixture(name);

    const accepted = await invokeThroughLambda(stack, event);
    const id = accepted.json.request_id as string;
    const read = await invokeThroughLambda(stack, asGet(event, `/v1/status/${id}`, event.version === '2.0' ? (event.routeKey === '$default' ? '$default' : 'GET /v1/status/{request_id}') : undefined));

    expect(accepted.statusCode).toBe(202);
    expect(accepted.json.status_url).toBe(`${base}/v1/status/${id}`);
    expect(accepted.headers?.Location).toBe(accepted.json.status_url);
    expect(accepted.headers?.['Access-Control-Allow-Origin']).toBe('*');
    expect(read.statusCode).toBe(200);
    expect(read.json.request_id).toBe(id);
  });

  it('answers 404 on a function URL for any path that is not exactly one of the API\'s, and 405 for a wrong method', async () => {
    const event = fixture('function-url');
    const answers = await Promise.all(
      ['/x/v1/invoke', '/v1/invoke/extra', '/', '/v1/status'].map((path) => invokeThroughLambda(stack, asGet(event, path, '$default'))),
    );
    const wrongMethod = await invokeThroughLambda(stack, asGet(event, '/v1/invoke', '$default'));

    expect(answers.map((answer) => answer.statusCode)).toEqual([404, 404, 404, 404]);
    expect(wrongMethod.statusCode).toBe(405);
    expect(wrongMethod.headers?.Allow).toBe('POST, OPTIONS');
  });

  it('refuses a body that is not JSON on payload 2.0 as on 1.0', async () => {
    const event = fixture('function-url');
    const form = await invokeThroughLambda(stack, { ...event, headers: { ...event.headers, 'content-type': 'application/x-www-form-urlencoded' } });
    expect(form.statusCode).toBe(415);
  });
});

describe('the local stack playing a function URL', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startTestStack({ front: 'function_url' });
  });
  afterAll(() => stack?.stop());

  it('sends payload 2.0 events and runs a request to complete, with its own address in status_url', async () => {
    const accepted = await submit(stack.url, { prompt: 'A function URL front. Payload version two.' });
    const { final } = await pollUntilTerminal(stack.url, accepted.body.request_id);

    expect(accepted.status).toBe(202);
    expect(accepted.body.status_url).toBe(`${stack.url}/v1/status/${accepted.body.request_id}`);
    expect(final.body.status).toBe('complete');
  });

  it('answers paths that are not exactly the API\'s with 404, and a wrong method with 405', async () => {
    const prefixed = await call(stack.url, 'POST', '/x/v1/invoke', { body: { prompt: 'x' } });
    const wrongMethod = await call(stack.url, 'PUT', '/v1/invoke', { body: { prompt: 'x' } });
    expect([prefixed.status, wrongMethod.status]).toEqual([404, 405]);
  });
});
