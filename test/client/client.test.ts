import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpError, RequestFailedError, TimeoutError, createClient, type AssessResult, type RequestView } from '../../src/client/index.js';
import type { Stack } from '../../src/local/stack.js';
import { createTaskRegistry } from '../../src/tasks/registry.js';
import { delay as taskDelay } from '../../src/delay.js';
import { type Task } from '../../src/tasks/task.js';
import { startTestStack } from '../support/stack.js';
import { recordingFetch } from './recording-fetch.js';

const PROMPT = 'Serverless functions scale to zero. They are cheap when idle. Cold starts add latency to the first call.';
const FAST_RETRY = { baseMs: 20, maxMs: 200 };
const QUIET_TASK_MS = 3000;

/** A task that reports no progress, so a long-poll is released only by status changes. */
function quietTask(name: string, ms: number): Task {
  return { name, description: 'waits without progress', run: async ({ signal }) => (await taskDelay(ms, signal), { summary: 'done' }) };
}

describe('client against the real tasks', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startTestStack({ env: { DEMO_TASK_MS: '800' } });
  });
  afterAll(() => stack?.stop());

  it('submits, reports progress and resolves with the complete view', async () => {
    const client = createClient({ baseUrl: stack.url });
    const seen: RequestView[] = [];

    const view = await client.wait<AssessResult>(await client.submit({ prompt: PROMPT }), { onProgress: (update) => seen.push(update) });

    expect(view.status).toBe('complete');
    expect(view.result.word_count).toBe(18);
    expect(view.result.keywords.length).toBeGreaterThan(0);
    const percents = seen.map((update) => update.progress?.percent ?? 0);
    expect(seen.length).toBeGreaterThanOrEqual(2);
    expect(percents).toEqual([...percents].sort((a, b) => a - b));
    expect(seen.some((update) => update.status === 'processing' && update.progress !== undefined)).toBe(true);
    expect(seen.at(-1)!.status).toBe('complete');
  });

  it('throws an HttpError naming method, URL and status for an unknown id', async () => {
    const client = createClient({ baseUrl: stack.url });
    const id = '00000000-0000-4000-8000-000000000000';

    const error = await client.get(id).catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(HttpError);
    const http = error as HttpError;
    expect(http).toMatchObject({ method: 'GET', url: `${stack.url}/v1/status/${id}`, status: 404, code: 'not_found' });
    expect(http.message).toContain(`GET ${stack.url}/v1/status/${id} answered 404`);
  });

  it('throws an HttpError with the field for invalid input, without retrying', async () => {
    const recorder = recordingFetch();
    const client = createClient({ baseUrl: stack.url, fetch: recorder.fetch, retry: FAST_RETRY });

    const error = await client.submit({ prompt: '   ' }).catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(HttpError);
    expect((error as HttpError).status).toBe(400);
    expect((error as HttpError).body).toMatchObject({ field: 'prompt' });
    expect(recorder.calls).toHaveLength(1);
  });

  it('backs off and retries a submit the API refused with 503', async () => {
    const recorder = recordingFetch();
    const client = createClient({ baseUrl: stack.url, fetch: recorder.fetch, retry: FAST_RETRY });
    // The handler's SDK tries each Invoke 3 times, so 6 rejected calls make two 503 answers.
    stack.lambda.faults.rejectInvokes = 6;

    const accepted = await client.submit({ prompt: PROMPT });
    const view = await client.wait(accepted);

    expect(recorder.calls.filter((call) => call.method === 'POST').map((call) => call.status)).toEqual([503, 503, 202]);
    expect(view.status).toBe('complete');
  });

  it('gives up after maxAttempts and surfaces the last 503', async () => {
    const client = createClient({ baseUrl: stack.url, retry: { ...FAST_RETRY, maxAttempts: 2 } });
    stack.lambda.faults.rejectInvokes = 6;

    const error = await client.submit({ prompt: PROMPT }).catch((caught: unknown) => caught);
    const refusalsLeft = stack.lambda.faults.rejectInvokes;
    stack.lambda.faults.rejectInvokes = 0;

    expect(error).toBeInstanceOf(HttpError);
    expect((error as HttpError).status).toBe(503);
    expect((error as HttpError).retryAfterMs).toBeGreaterThan(0);
    expect(refusalsLeft).toBe(0); // both submits were refused, on each of the handler SDK's three tries
  });
});

describe('client against a slow task', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startTestStack({
      handlerOverrides: { tasks: createTaskRegistry([quietTask('assess', QUIET_TASK_MS), quietTask('summarize', 60_000)]) },
    });
  });
  afterAll(() => stack?.stop());

  it('long-polls: a 3 s task takes at most 3 status calls', async () => {
    const recorder = recordingFetch();
    const client = createClient({ baseUrl: stack.url, fetch: recorder.fetch });

    const view = await client.wait(await client.submit({ prompt: PROMPT }), { waitSeconds: 20 });

    const statusCalls = recorder.calls.filter((call) => call.method === 'GET');
    expect(view.status).toBe('complete');
    expect(statusCalls.length).toBeLessThanOrEqual(3);
    expect(statusCalls.every((call) => call.url.endsWith('?wait=20'))).toBe(true);
  });

  it('stops at once when the signal aborts, with the signal’s reason', async () => {
    const client = createClient({ baseUrl: stack.url });
    const accepted = await client.submit({ prompt: PROMPT, task: 'summarize' });
    const controller = new AbortController();
    const reason = new Error('user left the page');
    setTimeout(() => controller.abort(reason), 300);

    const error = await client.wait(accepted, { signal: controller.signal }).catch((caught: unknown) => caught);

    // Rejected with the signal's reason: the long-poll under way was cut short, not waited out.
    expect(error).toBe(reason);
    await client.cancel(accepted.request_id);
  });

  it('rejects with an AbortError when aborted without a reason', async () => {
    const client = createClient({ baseUrl: stack.url });
    const accepted = await client.submit({ prompt: PROMPT, task: 'summarize' });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 100);

    const error = await client.wait(accepted, { signal: controller.signal }).catch((caught: unknown) => caught);

    expect((error as Error).name).toBe('AbortError');
    await client.cancel(accepted.request_id);
  });

  it('throws a TimeoutError after timeoutMs, carrying the last view', async () => {
    const client = createClient({ baseUrl: stack.url });
    const accepted = await client.submit({ prompt: PROMPT, task: 'summarize' });
    const started = Date.now();

    const error = await client.wait(accepted, { timeoutMs: 700 }).catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(TimeoutError);
    expect(error).toMatchObject({ requestId: accepted.request_id, timeoutMs: 700 });
    expect(Date.now() - started).toBeGreaterThanOrEqual(690);
    await client.cancel(accepted.request_id);
  });

  it('throws a RequestFailedError when the request is cancelled while waiting', async () => {
    const client = createClient({ baseUrl: stack.url });
    const accepted = await client.submit({ prompt: PROMPT, task: 'summarize' });
    const waiting = client.wait(accepted).catch((caught: unknown) => caught);

    await new Promise((resolve) => setTimeout(resolve, 300));
    const cancelled = await client.cancel(accepted.request_id);
    const error = await waiting;

    expect(cancelled).toMatchObject({ status: 'error', error_code: 'cancelled' });
    expect(error).toBeInstanceOf(RequestFailedError);
    expect(error).toMatchObject({ request_id: accepted.request_id, error_code: 'cancelled' });
    expect((error as RequestFailedError).message).toBe(cancelled.error);
  });

  it('answers 409 as an HttpError when cancelling a finished request', async () => {
    const client = createClient({ baseUrl: stack.url });
    const accepted = await client.submit({ prompt: PROMPT, task: 'summarize' });
    await client.cancel(accepted.request_id);

    const error = await client.cancel(accepted.request_id).catch((caught: unknown) => caught);

    expect(error).toMatchObject({ name: 'HttpError', method: 'DELETE', status: 409, code: 'already_terminal' });
  });
});
