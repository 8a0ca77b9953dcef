import { ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { afterEach, describe, expect, it } from 'vitest';
import { LOCAL_CREDENTIALS, LOCAL_REGION, type Stack } from '../../src/local/stack.js';
import { createTaskRegistry } from '../../src/tasks/registry.js';
import type { Task, TaskContext } from '../../src/tasks/task.js';
import { pollUntilTerminal, status, submit, submitAccepted } from '../support/http.js';
import { readItem } from '../support/items.js';
import { startTestStack } from '../support/stack.js';
import { waitFor } from '../support/wait-for.js';
import { startWebhookReceiver } from '../support/webhook-receiver.js';

const PROMPT = 'A view is whole, and small enough to read, whatever the task wrote.';

/** A task registered as the default. */
const only = (run: (context: TaskContext) => Promise<unknown>): ReturnType<typeof createTaskRegistry> =>
  createTaskRegistry([{ name: 'assess', description: 'test task', run } satisfies Task]);

/** A clock that runs with the wall clock until a test stops it at a chosen instant. */
function stoppableClock() {
  let stoppedAt: number | undefined;
  return { now: () => stoppedAt ?? Date.now(), stopAt: (ms: number) => void (stoppedAt = ms) };
}

async function bucketKeys(stack: Stack, prefix: string): Promise<string[]> {
  const client = new S3Client({ endpoint: stack.s3.endpoint, forcePathStyle: true, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS });
  try {
    const page = await client.send(new ListObjectsV2Command({ Bucket: stack.config.resultsBucket!, Prefix: prefix }));
    return (page.Contents ?? []).map((object) => object.Key!);
  } finally {
    client.destroy();
  }
}

describe('a view stays whole and small', () => {
  /** What a test started, stopped after it, last first. */
  const started: Array<{ stop(): Promise<void> }> = [];
  const track = <T extends { stop(): Promise<void> }>(thing: T): T => (started.push(thing), thing);
  afterEach(async () => {
    for (const thing of started.splice(0).reverse()) await thing.stop();
  });

  it('ends a task that writes more than MAX_FILES files at once as task_failed, naming the limit, and keeps none of them', async () => {
    const stack = track(await startTestStack({
      env: { MAX_FILES: '3' },
      handlerOverrides: {
        tasks: only(async ({ files }) => {
          await Promise.all(['a.txt', 'b.txt', 'c.txt', 'd.txt'].map((name) => files.put(name, name)));
          return 'unreachable';
        }),
      },
    }));

    const accepted = await submit(stack.url, { prompt: PROMPT });
    const { final } = await pollUntilTerminal(stack.url, accepted.body.request_id);

    expect(final.body).toMatchObject({ status: 'error', error_code: 'task_failed' });
    expect(final.body.error).toBe('The task wrote more than MAX_FILES (3) files.');
    expect(await bucketKeys(stack, `requests/${accepted.body.request_id}/`)).toEqual([]);
  });

  it('counts a file written again under its name once: MAX_FILES files, each URL in the view GETs its own bytes', async () => {
    const stack = track(await startTestStack({
      env: { MAX_FILES: '3' },
      handlerOverrides: {
        tasks: only(async ({ files }) => {
          await files.put('a.txt', 'first a');
          for (const name of ['a.txt', 'b.txt', 'c.txt']) await files.put(name, `body of ${name}`, 'text/plain');
          return 'ok';
        }),
      },
    }));

    const accepted = await submit(stack.url, { prompt: PROMPT });
    const { final } = await pollUntilTerminal(stack.url, accepted.body.request_id);
    const bodies = await Promise.all(final.body.artifacts.map(async (file: { url: string }) => (await fetch(file.url)).text()));

    expect(final.body.status).toBe('complete');
    expect(final.body.artifacts.map((file: { name: string }) => file.name).sort()).toEqual(['a.txt', 'b.txt', 'c.txt']);
    expect(bodies).toEqual(final.body.artifacts.map((file: { name: string }) => `body of ${file.name}`));
  });

  it('refuses a content type longer than a media type can be, naming it', async () => {
    const stack = track(await startTestStack({ handlerOverrides: { tasks: only(async ({ files }) => files.put('a.txt', 'x', `text/plain; x=${'y'.repeat(300)}`)) } }));
    const accepted = await submit(stack.url, { prompt: PROMPT });
    const { final } = await pollUntilTerminal(stack.url, accepted.body.request_id);
    expect(final.body).toMatchObject({ status: 'error', error_code: 'task_failed', error: expect.stringContaining('content type') });
  });

  it('answers a complete request with a spilled result whole up to its last second, then 404, never complete without its result', async () => {
    const clock = stoppableClock();
    const stack = track(await startTestStack({
      env: { INLINE_RESULT_MAX_BYTES: '0', REQUEST_TTL_SECONDS: '7200' },
      handlerOverrides: { now: clock.now, tasks: only(async () => ({ answer: 42 })) },
    }));
    const accepted = await submit(stack.url, { prompt: PROMPT });
    await pollUntilTerminal(stack.url, accepted.body.request_id);
    const expiresAtMs = (await readItem(stack, accepted.body.request_id))!.expires_at * 1000;

    clock.stopAt(expiresAtMs - 1500);
    const before = await status(stack.url, accepted.body.request_id);
    clock.stopAt(expiresAtMs - 500);
    const lastSecond = await status(stack.url, accepted.body.request_id);
    const unknown = await status(stack.url, '00000000-0000-4000-8000-000000000000');

    expect(before.status).toBe(200);
    expect(before.body).toMatchObject({ status: 'complete', result_size: 13 });
    expect(new URL(before.body.result_url).searchParams.get('X-Amz-Expires')).toBe('1');
    expect(lastSecond.status).toBe(404);
    expect(lastSecond.body).toEqual(unknown.body);
  });

  it('sends no webhook with a partial view in the last second before expiry; the sweeper gives it up once the request expires', async () => {
    const clock = stoppableClock();
    const stack = track(await startTestStack({
      env: { INLINE_RESULT_MAX_BYTES: '0', REQUEST_TTL_SECONDS: '7200', CALLBACK_TIMEOUT_MS: '300' },
      handlerOverrides: { now: clock.now, tasks: only(async () => ({ answer: 42 })) },
    }));
    const receiver = track(await startWebhookReceiver(stack.config.webhookSecret!));
    receiver.answers.push(500, 500, 500);
    const requestId = await submitAccepted(stack.url, { prompt: PROMPT, callback_url: `${receiver.url}/hook` });
    const handedOver = await waitFor(async () => {
      const item = await readItem(stack, requestId);
      return item?.callback?.attempts === 3 ? item : undefined;
    });

    clock.stopAt(handedOver.expires_at * 1000 - 500);
    stack.sweep();
    await stack.lambda.idle();
    const inLastSecond = receiver.deliveries.length;
    clock.stopAt(handedOver.expires_at * 1000 + 600_000);
    stack.sweep();
    await stack.lambda.idle();

    expect(inLastSecond).toBe(3);
    expect(receiver.deliveries.every((delivery) => delivery.contractError === undefined)).toBe(true);
    expect((await readItem(stack, requestId))?.callback).toEqual({ status: 'failed', attempts: 3, last_status: 500 });
  });
});
