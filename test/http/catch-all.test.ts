import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Stack } from '../../src/local/stack.js';
import { invokeThroughLambda, restEvent } from '../support/events.js';
import { startTestStack } from '../support/stack.js';

describe('a REST event through the {proxy+} catch-all', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startTestStack();
  });
  afterAll(() => stack?.stop());

  it("for a route's own path: 404 saying the call came through a catch-all the API does not serve", async () => {
    const answer = await invokeThroughLambda(stack, restEvent('POST', '/v1/invoke', { resource: '/{proxy+}', body: { prompt: 'Routed wrong.' } }));

    expect(answer.statusCode).toBe(404);
    expect(answer.json).toMatchObject({
      error_code: 'route_not_found',
      error: 'POST /v1/invoke came through the catch-all resource /{proxy+}, which this API does not serve: the deployment routes the call there instead of to the API\'s own resource.',
    });
  });

  it('for any other path: 404 naming the routes there are', async () => {
    const answer = await invokeThroughLambda(stack, restEvent('GET', '/v2/things', { resource: '/{proxy+}' }));

    expect(answer.statusCode).toBe(404);
    expect(answer.json.error).toMatch(/^No route for GET \/v2\/things\. Routes: POST \/v1\/invoke, GET and DELETE \/v1\/status\/\{request_id\}/);
  });
});
