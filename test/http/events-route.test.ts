import { afterEach, describe, expect, it } from 'vitest';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { eventsPath } from '../../src/contract.js';
import { readEventStream, type SseMessage } from '../../src/client/sse.js';
import type { Stack, StackOptions } from '../../src/local/stack.js';
import { draftTokens } from '../../src/tasks/draft.js';
import { pollUntilTerminal, status, submitAccepted } from '../support/http.js';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import type { APIGatewayProxyResult } from 'aws-lambda';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../../src/local/stack.js';
import { createPreludeReader, type StreamPrelude } from '../../src/local/stream-prelude.js';
import { invokeThroughLambda, restEvent } from '../support/events.js';
import { ensureBuilt, startTestStack } from '../support/stack.js';

const PROMPT = 'Each token shows up in the stream as soon as the table has it, and never twice.';
const EXPECTED = draftTokens(PROMPT).join('');

let stack: Stack | undefined;
afterEach(async () => {
  await stack?.stop();
  stack = undefined;
});

async function start(options: Partial<StackOptions> = {}): Promise<Stack> {
  stack = await startTestStack({ ...options, env: { DEMO_TASK_MS: '3000', ...options.env } });
  return stack;
}

/** Opens the request's event stream over a real socket; `close()` drops the connection. */
async function open(url: string, id: string, headers: Record<string, string> = {}, query = '') {
  const controller = new AbortController();
  const response = await fetch(`${url}${eventsPath(id)}${query}`, { headers, signal: controller.signal });
  const messages = response.body ? readEventStream(response.body) : undefined;
  return { response, messages, close: () => controller.abort() };
}

/** A REST API's STREAM method's call: the function invoked with a response stream, read as the front reads it. */
async function invokeStreaming(stack: Stack, event: unknown): Promise<{ prelude: StreamPrelude | undefined; body: string }> {
  let prelude: StreamPrelude | undefined;
  const body: Buffer[] = [];
  const write = createPreludeReader((head) => (prelude = head), (chunk) => body.push(chunk));
  await stack.lambda.invoke(event, { write, signal: new AbortController().signal });
  return { prelude, body: Buffer.concat(body).toString('utf8') };
}

/** A plain Invoke through the real SDK client (as an HTTP API's integration makes it); the body left as text. */
async function invokePlain(stack: Stack, event: unknown): Promise<APIGatewayProxyResult> {
  const client = new LambdaClient({ endpoint: stack.lambda.endpoint, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS, maxAttempts: 1 });
  try {
    const output = await client.send(new InvokeCommand({ FunctionName: 'async-router', Payload: new TextEncoder().encode(JSON.stringify(event)) }));
    return JSON.parse(new TextDecoder().decode(output.Payload)) as APIGatewayProxyResult;
  } finally {
    client.destroy();
  }
}

const outputText = (messages: SseMessage[]) => messages.filter((m) => m.event === 'output').map((m) => (JSON.parse(m.data!) as { text: string }).text).join('');
const outputSeqs = (messages: SseMessage[]) => messages.filter((m) => m.event === 'output').map((m) => (JSON.parse(m.data!) as { seq: number }).seq);

/** Waits until key-a's request has ended, through the REST event the key would send. */
async function pollUntilTerminalWithKey(stack: Stack, id: string): Promise<void> {
  for (;;) {
    const view = await invokeThroughLambda(stack, restEvent('GET', `/v1/status/${id}`, { apiKeyId: 'key-a', query: { wait: '5' } }));
    if (view.json.status === 'complete' || view.json.status === 'error') return;
  }
}

describe('GET /v1/status/{request_id}/events', () => {
  it('streams output as it is written, then ends with the final view (REST front, chunked)', async () => {
    const stack = await start();
    const id = await submitAccepted(stack.url, { prompt: PROMPT, task: 'draft' });
    const stream = await open(stack.url, id);
    expect(stream.response.status).toBe(200);
    expect(stream.response.headers.get('content-type')).toMatch(/^text\/event-stream/);

    const seen: SseMessage[] = [];
    let statusAtFirstOutput: unknown;
    for await (const message of stream.messages!) {
      seen.push(message);
      // Streamed for real: the first output reaches the client while the request is still running.
      if (message.event === 'output' && statusAtFirstOutput === undefined) statusAtFirstOutput = (await status(stack.url, id)).body.status;
    }

    expect(statusAtFirstOutput).toBe('processing');
    const end = seen.at(-1)!;
    expect(end.event).toBe('end');
    expect(JSON.parse(end.data!)).toMatchObject({ status: 'complete', result: { text: EXPECTED } });
    expect(outputText(seen)).toBe(EXPECTED);
    expect(outputSeqs(seen)).toEqual(Array.from({ length: outputSeqs(seen).length }, (_, index) => index + 1));
    expect(seen.every((m) => m.id !== undefined && m.id !== '')).toBe(true);
    expect(seen.filter((m) => m.event === 'status').map((m) => JSON.parse(m.data!).status)).toContain('processing');
  });

  it('resumes exactly after Last-Event-ID across forced disconnects: no gap, no duplicate', async () => {
    const stack = await start({ env: { DEMO_TASK_MS: '4000' } });
    const id = await submitAccepted(stack.url, { prompt: PROMPT, task: 'draft' });
    const seen: SseMessage[] = [];
    let disconnects = 0;
    let lastId: string | undefined;
    for (;;) {
      const stream = await open(stack.url, id, lastId !== undefined ? { 'Last-Event-ID': lastId } : {});
      if (stream.response.status === 204) break;
      let outputsThisTime = 0;
      let ended = false;
      for await (const message of stream.messages!) {
        seen.push(message);
        lastId = message.id ?? lastId;
        if (message.event === 'end') ended = true;
        // Dropped after two output events, five times over.
        if (message.event === 'output' && ++outputsThisTime === 2 && disconnects < 5) {
          disconnects += 1;
          stream.close();
          break;
        }
      }
      if (ended) break;
    }

    expect(disconnects).toBe(5);
    expect(seen.at(-1)!.event).toBe('end');
    expect(outputText(seen)).toBe(EXPECTED);
    const seqs = outputSeqs(seen);
    expect(seqs).toEqual(Array.from({ length: seqs.length }, (_, index) => index + 1));
    expect(new Set(seen.map((m) => m.id)).size).toBe(seen.length);
    // After the end, the same cursor answers 204: an EventSource stops reconnecting.
    expect((await open(stack.url, id, { 'Last-Event-ID': seen.at(-1)!.id! })).response.status).toBe(204);
  });

  it('takes ?after= like Last-Event-ID, and refuses a malformed one with a 400 naming it', async () => {
    const stack = await start({ env: { DEMO_TASK_MS: '300' } });
    const id = await submitAccepted(stack.url, { prompt: PROMPT, task: 'draft' });
    await pollUntilTerminal(stack.url, id);
    const all: SseMessage[] = [];
    for await (const message of (await open(stack.url, id)).messages!) all.push(message);
    const middle = all.findIndex((m) => m.event === 'output') + 2;

    const rest: SseMessage[] = [];
    for await (const message of (await open(stack.url, id, {}, `?after=${encodeURIComponent(all[middle]!.id!)}`)).messages!) rest.push(message);

    expect(rest.map((m) => m.id)).toEqual(all.slice(middle + 1).map((m) => m.id));
    const badHeader = await open(stack.url, id, { 'Last-Event-ID': 'nonsense' });
    expect(badHeader.response.status).toBe(400);
    expect(await badHeader.response.json()).toMatchObject({ field: 'Last-Event-ID' });
    const badQuery = await open(stack.url, id, {}, '?after=12');
    expect(badQuery.response.status).toBe(400);
    expect(await badQuery.response.json()).toMatchObject({ field: 'after' });
    expect((await open(stack.url, '00000000-0000-4000-8000-000000000000')).response.status).toBe(404);
  });

  it('answers another API key, as for the view, with the unknown-id 404', async () => {
    const stack = await start({ env: { DEMO_TASK_MS: '100' } });
    const created = await invokeThroughLambda(stack, restEvent('POST', '/v1/invoke', { body: { prompt: PROMPT, task: 'draft' }, apiKeyId: 'key-a' }));
    const id = created.json.request_id as string;
    await pollUntilTerminalWithKey(stack, id);
    const events = (apiKeyId: string) => restEvent('GET', eventsPath(id), { resource: '/v1/status/{request_id}/events', apiKeyId });
    const withParams = (event: ReturnType<typeof restEvent>) => ({ ...event, pathParameters: { request_id: id } });

    const own = await invokeStreaming(stack, withParams(events('key-a')));
    const other = await invokeStreaming(stack, withParams(events('key-b')));

    expect(own.prelude?.statusCode).toBe(200);
    expect(own.body).toContain('event: end');
    expect(other.prelude?.statusCode).toBe(404);
    expect(JSON.parse(other.body)).toEqual((await invokeThroughLambda(stack, restEvent('GET', `/v1/status/${id}`, { apiKeyId: 'key-b' }))).json);
  });

  it('answers an HTTP API (which cannot stream) at once with the events so far and a retry hint', async () => {
    const stack = await start({ env: { DEMO_TASK_MS: '100' } });
    const id = await submitAccepted(stack.url, { prompt: PROMPT, task: 'draft' });
    await pollUntilTerminal(stack.url, id);
    const event = {
      version: '2.0',
      routeKey: 'GET /v1/status/{request_id}/events',
      rawPath: eventsPath(id),
      rawQueryString: '',
      headers: { host: 'abc.execute-api.eu-west-1.amazonaws.com' },
      pathParameters: { request_id: id },
      requestContext: { apiId: 'abc', domainName: 'abc.execute-api.eu-west-1.amazonaws.com', stage: '$default', http: { method: 'GET', path: eventsPath(id) } },
      isBase64Encoded: false,
    } as unknown as APIGatewayProxyEventV2;

    const answer = await invokePlain(stack, event);

    expect(answer.statusCode).toBe(200);
    expect(answer.headers!['Content-Type']).toMatch(/^text\/event-stream/);
    const messages: SseMessage[] = [];
    for await (const message of readEventStream(new Response(answer.body).body!)) messages.push(message);
    expect(outputText(messages)).toBe(EXPECTED);
    expect(messages.at(-1)!.event).toBe('end');
  });

  it('streams through a function URL from the built bundle, with the awslambda global the sandbox provides', async () => {
    ensureBuilt();
    const stack = await start({ runtime: 'sandbox', front: 'function_url' });
    const id = await submitAccepted(stack.url, { prompt: PROMPT, task: 'draft' });
    const seen: SseMessage[] = [];
    let statusAtFirstOutput: unknown;
    for await (const message of (await open(stack.url, id)).messages!) {
      seen.push(message);
      if (message.event === 'output' && statusAtFirstOutput === undefined) statusAtFirstOutput = (await status(stack.url, id)).body.status;
    }
    expect(statusAtFirstOutput).toBe('processing');
    expect(outputText(seen)).toBe(EXPECTED);
    expect(seen.at(-1)!.event).toBe('end');
  });
});
