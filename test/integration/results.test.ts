import { ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { afterEach, describe, expect, it } from 'vitest';
import { createClient } from '../../src/client/index.js';
import { delay } from '../../src/delay.js';
import { LOCAL_CREDENTIALS, LOCAL_REGION, type Stack } from '../../src/local/stack.js';
import { createTaskRegistry } from '../../src/tasks/registry.js';
import { createReportTask } from '../../src/tasks/report.js';
import type { Task } from '../../src/tasks/task.js';
import { call, pollUntilTerminal, submit } from '../support/http.js';
import { ensureBuilt, startTestStack } from '../support/stack.js';
import { startTcpProxy } from '../support/tcp-proxy.js';

const PROMPT = 'Reports are large. They go to the bucket. A presigned URL brings them back.';

/** A task that returns `result` (or runs `run`), registered as the default. */
const tasks = (...list: Task[]) => createTaskRegistry(list);
const returning = (result: unknown): Task => ({ name: 'assess', description: 'returns a fixed result', run: async () => result });

function bigJson(bytes: number) {
  const rows = Array.from({ length: Math.ceil(bytes / 100) }, (_, index) => ({ row: index, text: `row ${index} `.padEnd(80, '.') }));
  return { rows };
}

function s3Objects(stack: Stack) {
  const client = new S3Client({ endpoint: stack.s3.endpoint, forcePathStyle: true, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS });
  return {
    async keys(prefix = 'requests/') {
      const page = await client.send(new ListObjectsV2Command({ Bucket: stack.config.resultsBucket!, Prefix: prefix }));
      return (page.Contents ?? []).map((object) => object.Key!);
    },
    destroy: () => client.destroy(),
  };
}

describe('results of any size, and files', () => {
  let stack: Stack | undefined;
  const closers: Array<() => Promise<void>> = [];
  afterEach(async () => {
    await stack?.stop();
    stack = undefined;
    for (const close of closers.splice(0)) await close();
  });

  it('runs the report task: a summary inline, and the report as a file of at least 1 MB that a plain GET of its URL returns whole', async () => {
    stack = await startTestStack({ handlerOverrides: { tasks: tasks(createReportTask(300, 1)) } });

    const accepted = await submit(stack.url, { prompt: PROMPT });
    const { final } = await pollUntilTerminal(stack.url, accepted.body.request_id, { timeoutMs: 20_000 });
    const [artifact] = final.body.artifacts;
    const download = await fetch(artifact.url);
    const bytes = Buffer.from(await download.arrayBuffer());

    expect(final.body).toMatchObject({ status: 'complete', result: { report: 'report.html', summary: expect.any(String) } });
    expect(artifact).toMatchObject({ name: 'report.html', content_type: 'text/html; charset=utf-8' });
    expect(artifact.size).toBeGreaterThanOrEqual(1024 * 1024);
    expect(download.status).toBe(200);
    expect(bytes.length).toBe(artifact.size);
    expect(final.body.result.bytes).toBe(artifact.size);
    expect(bytes.toString('utf8', 0, 1000)).toContain('<h1>Assessment report</h1>');
  });

  it('spills a 5 MB JSON result to the bucket: the view has result_url and result_size, and both a GET and client.wait() give it back', async () => {
    const result = bigJson(5 * 1024 * 1024);
    stack = await startTestStack({ handlerOverrides: { tasks: tasks(returning(result)) } });

    const accepted = await submit(stack.url, { prompt: PROMPT });
    const { final } = await pollUntilTerminal(stack.url, accepted.body.request_id, { timeoutMs: 20_000 });
    const fetched = await (await fetch(final.body.result_url)).json();
    const waited = await createClient({ baseUrl: stack.url }).wait(accepted.body.request_id);

    expect(final.body.result).toBeUndefined();
    expect(final.body.result_size).toBe(Buffer.byteLength(JSON.stringify(result)));
    expect(final.body.result_size).toBeGreaterThan(5 * 1024 * 1024);
    expect(fetched).toEqual(result);
    expect(waited.result).toEqual(result);
  });

  it('keeps a small result inline, exactly as before: no result_url, no artifacts', async () => {
    stack = await startTestStack({ handlerOverrides: { tasks: tasks(returning({ answer: 42 })) } });
    const accepted = await submit(stack.url, { prompt: PROMPT });
    const { final } = await pollUntilTerminal(stack.url, accepted.body.request_id);
    expect(final.body).toMatchObject({ status: 'complete', result: { answer: 42 } });
    expect(final.body).not.toHaveProperty('result_url');
    expect(final.body).not.toHaveProperty('artifacts');
  });

  it('retries the result upload while the bucket is unreachable, and never shows a URL to a missing object', async () => {
    let endpoint = '';
    const toS3 = await startTcpProxy(() => endpoint);
    closers.push(toS3.stop);
    const result = bigJson(200 * 1024);
    let cutAt = 0;
    stack = await startTestStack({
      env: { S3_ENDPOINT: toS3.url },
      handlerOverrides: {
        tasks: tasks({
          name: 'assess',
          description: 'cuts the bucket off as it returns',
          run: async () => {
            toS3.cut();
            cutAt = Date.now();
            setTimeout(() => toS3.restore(), 1500);
            return result;
          },
        }),
      },
    });
    endpoint = stack.s3.endpoint;

    const accepted = await submit(stack.url, { prompt: PROMPT });
    const { final, responses } = await pollUntilTerminal(stack.url, accepted.body.request_id, { intervalMs: 100, timeoutMs: 20_000 });
    const fetched = await (await fetch(final.body.result_url)).json();

    expect(final.body.status).toBe('complete');
    expect(Date.parse(final.body.updated_at) - cutAt).toBeGreaterThanOrEqual(1400);
    expect(responses.slice(0, -1).every((response) => response.body.result_url === undefined)).toBe(true);
    expect(fetched).toEqual(result);
  });

  it('ends result_too_large, with a sentence, for a task that writes more than MAX_OUTPUT_BYTES, and keeps none of it', async () => {
    stack = await startTestStack({
      env: { MAX_OUTPUT_BYTES: String(64 * 1024) },
      handlerOverrides: {
        tasks: tasks({
          name: 'assess',
          description: 'writes too much',
          run: async ({ files }) => {
            await files.put('first.bin', Buffer.alloc(40 * 1024));
            await files.put('second.bin', Buffer.alloc(40 * 1024));
            return 'unreachable';
          },
        }),
      },
    });
    const objects = s3Objects(stack);

    const accepted = await submit(stack.url, { prompt: PROMPT });
    const { final } = await pollUntilTerminal(stack.url, accepted.body.request_id);

    expect(final.body).toMatchObject({ status: 'error', error_code: 'result_too_large', error: expect.stringContaining('65536 bytes') });
    expect(await objects.keys(`requests/${accepted.body.request_id}/`)).toEqual([]);
    objects.destroy();
  });

  it('refuses a file name with path characters, saying why', async () => {
    stack = await startTestStack({
      handlerOverrides: { tasks: tasks({ name: 'assess', description: 'bad name', run: async ({ files }) => files.put('../escape.txt', 'x') }) },
    });
    const accepted = await submit(stack.url, { prompt: PROMPT });
    const { final } = await pollUntilTerminal(stack.url, accepted.body.request_id);
    expect(final.body).toMatchObject({ status: 'error', error_code: 'task_failed', error: expect.stringContaining('"../escape.txt"') });
  });

  it('presigns for RESULT_URL_SECONDS, never past the request\'s expiry; the local S3 refuses an expired URL', async () => {
    stack = await startTestStack({
      env: { RESULT_URL_SECONDS: '1', REQUEST_TTL_SECONDS: '120', REQUEST_DEADLINE_SECONDS: '60', WORKER_LEASE_SECONDS: '10' },
      handlerOverrides: { tasks: tasks({ name: 'assess', description: 'one file', run: async ({ files }) => (await files.put('a.txt', 'hello', 'text/plain'), 'ok') }) },
    });
    const accepted = await submit(stack.url, { prompt: PROMPT });
    const { final } = await pollUntilTerminal(stack.url, accepted.body.request_id);
    const url = new URL(final.body.artifacts[0].url);

    const fresh = await fetch(url);
    await delay(2500);
    const stale = await fetch(url);

    expect(url.searchParams.get('X-Amz-Expires')).toBe('1');
    expect([fresh.status, stale.status]).toEqual([200, 403]);
    expect(await stale.text()).toContain('Request has expired');

    const longTtl = await startTestStack({
      env: { RESULT_URL_SECONDS: '900', REQUEST_TTL_SECONDS: '120', REQUEST_DEADLINE_SECONDS: '60', WORKER_LEASE_SECONDS: '10' },
      handlerOverrides: { tasks: tasks({ name: 'assess', description: 'one file', run: async ({ files }) => (await files.put('a.txt', 'hello'), 'ok') }) },
    });
    closers.push(() => longTtl.stop());
    const second = await submit(longTtl.url, { prompt: PROMPT });
    const done = await pollUntilTerminal(longTtl.url, second.body.request_id);
    expect(Number(new URL(done.final.body.artifacts[0].url).searchParams.get('X-Amz-Expires'))).toBeLessThanOrEqual(120);
  });

  it('deletes what a cancelled request already wrote', async () => {
    let wrote!: () => void;
    const written = new Promise<void>((resolve) => (wrote = resolve));
    stack = await startTestStack({
      handlerOverrides: {
        tasks: tasks({
          name: 'assess',
          description: 'writes, then waits',
          run: async ({ files, signal }) => {
            await files.put('partial.txt', 'half of it');
            wrote();
            await delay(30_000, signal);
            return 'never';
          },
        }),
      },
    });
    const objects = s3Objects(stack);
    const accepted = await submit(stack.url, { prompt: PROMPT });
    await written;
    const before = await objects.keys(`requests/${accepted.body.request_id}/`);

    await call(stack.url, 'DELETE', `/v1/status/${accepted.body.request_id}`);
    await stack.lambda.idle();

    expect(before).toHaveLength(1);
    expect(await objects.keys(`requests/${accepted.body.request_id}/`)).toEqual([]);
    objects.destroy();
  });

  it('runs the report task in the built bundle, in sandboxes, as npm start does', async () => {
    ensureBuilt();
    stack = await startTestStack({ runtime: 'sandbox', env: { DEMO_TASK_MS: '300', DEMO_REPORT_MB: '2' } });

    const accepted = await submit(stack.url, { prompt: PROMPT, task: 'report' });
    const { final } = await pollUntilTerminal(stack.url, accepted.body.request_id, { timeoutMs: 30_000 });
    const download = await fetch(final.body.artifacts[0].url);

    expect(final.body.status).toBe('complete');
    expect(final.body.artifacts[0].size).toBeGreaterThanOrEqual(2 * 1024 * 1024);
    expect((await download.arrayBuffer()).byteLength).toBe(final.body.artifacts[0].size);
  });
});
