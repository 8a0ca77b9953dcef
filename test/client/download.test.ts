import { createWriteStream } from 'node:fs';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ClientError,
  DownloadError,
  ExpiredUrlError,
  HttpError,
  NetworkError,
  RequestFailedError,
  createClient,
  type FetchLike,
  type RequestView,
} from '../../src/client/index.js';
import { delay } from '../../src/delay.js';
import { LOCAL_CREDENTIALS, LOCAL_REGION, type Stack } from '../../src/local/stack.js';
import { createTaskRegistry } from '../../src/tasks/registry.js';
import { createReportTask } from '../../src/tasks/report.js';
import type { Task } from '../../src/tasks/task.js';
import { startTestStack } from '../support/stack.js';
import { startTcpProxy } from '../support/tcp-proxy.js';

const PROMPT = 'Reports are large. They go to the bucket. A presigned URL brings them back, byte for byte.';
const API_KEY = 'download-test-key';
const MB = 1024 * 1024;

/** A JSON value of about `bytes` bytes, with a non-ASCII character so UTF-8 length and string length differ. */
function bigJson(bytes: number) {
  return { note: 'héllo ✓', rows: Array.from({ length: Math.ceil(bytes / 100) }, (_, index) => ({ row: index, text: `row ${index} `.padEnd(80, '.') })) };
}
const SMALL = { answer: 42, note: 'héllo ✓' };
const BIG = bigJson(3 * MB);

/** assess: a small inline result; summarize: a 3 MB result the API only links; report: the real report task (≥ 1 MB report.html). */
const TASKS = createTaskRegistry([
  { name: 'assess', description: 'small result', run: async () => SMALL } satisfies Task,
  { name: 'summarize', description: 'big result', run: async () => BIG } satisfies Task,
  createReportTask(150, 1),
]);

interface Call {
  method: string;
  url: string;
  headers: Headers;
  status?: number;
}

/** The real fetch, noting each call with the headers it sent. */
function recordingFetch(): { fetch: FetchLike; calls: Call[] } {
  const calls: Call[] = [];
  return {
    calls,
    async fetch(url, init) {
      const call: Call = { method: init.method ?? 'GET', url, headers: new Headers(init.headers) };
      calls.push(call);
      const response = await fetch(url, init);
      call.status = response.status;
      return response;
    },
  };
}

/** A WritableStream that keeps only the sizes of the chunks it was given, and whether it was closed or aborted. */
function countingSink() {
  const state = { chunks: [] as number[], closed: false, aborted: undefined as unknown };
  const stream = new WritableStream<Uint8Array>({
    write: (chunk) => void state.chunks.push(chunk.byteLength),
    close: () => void (state.closed = true),
    abort: (reason) => void (state.aborted = reason ?? 'aborted'),
  });
  return { stream, state };
}

async function completeView(stack: Stack, task: 'assess' | 'summarize' | 'report', apiKey?: string): Promise<RequestView> {
  const client = createClient({ baseUrl: stack.url, ...(apiKey !== undefined ? { apiKey } : {}) });
  return client.wait(await client.submit({ prompt: PROMPT, task }), { fetchResult: false });
}

describe('client.download against the local stack', () => {
  let stack: Stack;
  let scratch: string;
  beforeAll(async () => {
    stack = await startTestStack({ handlerOverrides: { tasks: TASKS } });
    scratch = await mkdtemp(join(tmpdir(), 'client-download-'));
  });
  afterAll(async () => {
    await stack?.stop();
    if (scratch !== undefined) await rm(scratch, { recursive: true, force: true });
  });

  it('an inline result comes back as its JSON, in one progress call; a request id works as well as a view', async () => {
    const client = createClient({ baseUrl: stack.url });
    const view = await completeView(stack, 'assess');
    const progress: [number, number | undefined][] = [];

    const downloaded = await client.download(view, undefined, { onProgress: (received, total) => progress.push([received, total]) });
    const byId = await client.download(view.request_id);

    const size = Buffer.byteLength(JSON.stringify(SMALL));
    expect(view.result).toEqual(SMALL);
    expect(downloaded).toMatchObject({ request_id: view.request_id, name: undefined, contentType: 'application/json', size });
    expect(downloaded.bytes).toBeInstanceOf(Uint8Array);
    expect(JSON.parse(new TextDecoder().decode(downloaded.bytes))).toEqual(SMALL);
    expect(progress).toEqual([[size, size]]);
    expect(Buffer.from(byId.bytes).equals(Buffer.from(downloaded.bytes))).toBe(true);
  });

  it('a result only linked by result_url comes back whole from the bucket, without the API key', async () => {
    const recorder = recordingFetch();
    const client = createClient({ baseUrl: stack.url, apiKey: API_KEY, fetch: recorder.fetch });
    const view = await client.wait(await client.submit({ prompt: PROMPT, task: 'summarize' }), { fetchResult: false });
    const progress: [number, number | undefined][] = [];

    const downloaded = await client.download(view, undefined, { onProgress: (received, total) => progress.push([received, total]) });

    expect(view.result).toBeUndefined();
    expect(view.result_size).toBeGreaterThan(3 * MB);
    expect(downloaded.size).toBe(view.result_size);
    expect(downloaded.bytes.byteLength).toBe(view.result_size);
    expect(downloaded.contentType).toBe('application/json');
    expect(JSON.parse(new TextDecoder().decode(downloaded.bytes))).toEqual(BIG);
    expect(progress.length).toBeGreaterThan(1);
    expect(progress.at(-1)).toEqual([view.result_size, view.result_size]);

    const toBucket = recorder.calls.filter((call) => call.url.startsWith(stack.s3.endpoint));
    const toApi = recorder.calls.filter((call) => call.url.startsWith(stack.url));
    expect(toBucket).toHaveLength(1);
    expect(toBucket[0]!.status).toBe(200);
    expect(toBucket[0]!.headers.get('x-api-key')).toBeNull();
    expect(toBucket[0]!.headers.get('authorization')).toBeNull();
    expect(toApi.every((call) => call.headers.get('x-api-key') === API_KEY)).toBe(true);
  });

  it('streams a named artifact of ≥ 1 MB into a file (Writable.toWeb), calling onProgress per chunk up to its size', async () => {
    const client = createClient({ baseUrl: stack.url });
    const view = await completeView(stack, 'report');
    const [artifact] = view.artifacts!;
    const file = join(scratch, 'report.html');
    const progress: [number, number | undefined][] = [];

    const saved = await client.download(view, 'report.html', {
      into: Writable.toWeb(createWriteStream(file)) as WritableStream<Uint8Array>,
      onProgress: (received, total) => progress.push([received, total]),
    });

    expect(artifact).toMatchObject({ name: 'report.html', content_type: 'text/html; charset=utf-8' });
    expect(artifact!.size).toBeGreaterThanOrEqual(MB);
    expect(saved).toMatchObject({ request_id: view.request_id, name: 'report.html', contentType: 'text/html; charset=utf-8', size: artifact!.size });
    expect(saved).not.toHaveProperty('bytes');
    expect((await stat(file)).size).toBe(artifact!.size);
    expect((await readFile(file, 'utf8')).slice(0, 300)).toContain('<h1>Assessment report</h1>');
    expect(progress.length).toBeGreaterThan(1);
    expect(progress.at(-1)).toEqual([artifact!.size, artifact!.size]);
    expect(progress.every(([, total]) => total === artifact!.size)).toBe(true);
    expect(progress.map(([received]) => received)).toEqual([...progress.map(([received]) => received)].sort((a, b) => a - b));
  });

  it('holds an artifact in memory when no `into` is given', async () => {
    const client = createClient({ baseUrl: stack.url });
    const view = await completeView(stack, 'report');

    const downloaded = await client.download(view, 'report.html');

    expect(downloaded.bytes.byteLength).toBe(view.artifacts![0]!.size);
    expect(downloaded.contentType).toBe('text/html; charset=utf-8');
    expect(new TextDecoder().decode(downloaded.bytes.subarray(0, 300))).toContain('<h1>Assessment report</h1>');
  });

  it('an unknown name throws a DownloadError naming the files there are; a request with none says so', async () => {
    const client = createClient({ baseUrl: stack.url });
    const report = await completeView(stack, 'report');
    const plain = await completeView(stack, 'assess');
    const sink = countingSink();

    const unknown = await client.download(report, 'report.pdf', { into: sink.stream }).catch((caught: unknown) => caught);
    const none = await client.download(plain, 'report.html').catch((caught: unknown) => caught);

    expect(unknown).toBeInstanceOf(DownloadError);
    expect(unknown).toBeInstanceOf(ClientError);
    expect(unknown).toMatchObject({ code: 'unknown_artifact', request_id: report.request_id, available: ['report.html'] });
    expect((unknown as Error).message).toBe(`request ${report.request_id} has no file named "report.pdf"; its files are: "report.html"`);
    expect(sink.state.aborted).toBe(unknown);
    expect(none).toMatchObject({ code: 'unknown_artifact', available: [] });
    expect((none as Error).message).toContain('it wrote no files');
  });

  it('refuses a request that is not complete, and one that failed (RequestFailedError)', async () => {
    const client = createClient({ baseUrl: stack.url });
    const view = await completeView(stack, 'assess');

    const running = await client.download({ ...view, status: 'processing', result: undefined }).catch((caught: unknown) => caught);
    const failed = await client
      .download({ ...view, status: 'error', result: undefined, error: 'The request was cancelled by the caller.', error_code: 'cancelled' })
      .catch((caught: unknown) => caught);

    expect(running).toMatchObject({ name: 'DownloadError', code: 'not_complete' });
    expect((running as Error).message).toContain('is processing');
    expect(failed).toBeInstanceOf(RequestFailedError);
    expect(failed).toMatchObject({ error_code: 'cancelled' });
  });

  it('a missing object is an HttpError naming the URL without its signature', async () => {
    const client = createClient({ baseUrl: stack.url });
    const view = await completeView(stack, 'report');
    // Signed for the missing key: the local S3, like S3, answers an edited path with 403 SignatureDoesNotMatch.
    const s3 = new S3Client({ endpoint: stack.s3.endpoint, forcePathStyle: true, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS });
    const found = new URL(view.artifacts![0]!.url);
    const missingKey = decodeURIComponent(found.pathname.split('/').slice(2).join('/')).replace('report.html', 'missing.html');
    const url = new URL(await getSignedUrl(s3, new GetObjectCommand({ Bucket: stack.config.resultsBucket, Key: missingKey }), { expiresIn: 60 }));
    s3.destroy();

    const error = await client
      .download({ ...view, artifacts: [{ ...view.artifacts![0]!, url: url.href }] }, 'report.html')
      .catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(HttpError);
    expect(error).toMatchObject({ status: 404, code: 'NoSuchKey', url: `${url.origin}${url.pathname}` });
    expect((error as Error).message).toMatch(/answered 404: The specified key does not exist/);
    expect((error as Error).message).not.toContain('X-Amz-Signature');
  });

  it('stops when its signal aborts, with the signal\'s reason, and aborts `into`', async () => {
    const client = createClient({ baseUrl: stack.url });
    const view = await completeView(stack, 'report');
    const controller = new AbortController();
    const reason = new Error('user stopped it');
    const sink = countingSink();

    const error = await client
      .download(view, 'report.html', { into: sink.stream, signal: controller.signal, onProgress: () => controller.abort(reason) })
      .catch((caught: unknown) => caught);

    expect(error).toBe(reason);
    expect(sink.state.closed).toBe(false);
    expect(sink.state.aborted).toBe(reason);
    expect(sink.state.chunks.reduce((total, size) => total + size, 0)).toBeLessThan(view.artifacts![0]!.size);
  });
});

describe('client.download when the bucket fails', () => {
  it('a connection cut mid-body is a NetworkError, and `into` is aborted', async () => {
    let endpoint = '';
    const proxy = await startTcpProxy(() => endpoint);
    const stack = await startTestStack({ env: { S3_ENDPOINT: proxy.url }, handlerOverrides: { tasks: createTaskRegistry([createReportTask(150, 4)]) } });
    endpoint = stack.s3.endpoint;
    try {
      const client = createClient({ baseUrl: stack.url });
      const view = await client.wait(await client.submit({ prompt: PROMPT, task: 'report' }));
      const sink = countingSink();
      let cut = false;

      const error = await client
        .download(view, 'report.html', {
          into: sink.stream,
          onProgress: () => {
            if (!cut) proxy.cut();
            cut = true;
          },
        })
        .catch((caught: unknown) => caught);

      expect(error).toBeInstanceOf(NetworkError);
      expect((error as NetworkError).url).not.toContain('?');
      expect(sink.state.aborted).toBe(error);
    } finally {
      await stack.stop();
      await proxy.stop();
    }
  });
});

describe('client.download of an expired presigned URL (RESULT_URL_SECONDS=1)', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startTestStack({ env: { RESULT_URL_SECONDS: '1' }, handlerOverrides: { tasks: TASKS } });
  });
  afterAll(() => stack?.stop());

  it('with refresh: false, throws an ExpiredUrlError (an HttpError, 403) that says to read the request again', async () => {
    const view = await completeView(stack, 'report');
    await delay(2500);
    const recorder = recordingFetch();
    const client = createClient({ baseUrl: stack.url, fetch: recorder.fetch });

    const error = await client.download(view, 'report.html', { refresh: false }).catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(ExpiredUrlError);
    expect(error).toBeInstanceOf(HttpError);
    expect(error).toMatchObject({ status: 403, code: 'AccessDenied', request_id: view.request_id });
    const message = (error as Error).message;
    expect(message).toContain('the presigned URL has expired (Request has expired)');
    expect(message).toContain(`Read the request again (GET /v1/status/${view.request_id}) for fresh URLs`);
    expect(message).not.toContain('X-Amz-Signature');
    expect(recorder.calls.map((call) => call.status)).toEqual([403]);
  });

  it('by default reads the request again once and downloads from the fresh URL', async () => {
    const view = await completeView(stack, 'report');
    await delay(2500);
    const recorder = recordingFetch();
    const client = createClient({ baseUrl: stack.url, fetch: recorder.fetch });

    const downloaded = await client.download(view, 'report.html');

    expect(downloaded.bytes.byteLength).toBe(view.artifacts![0]!.size);
    expect(recorder.calls.map((call) => [call.url.startsWith(stack.url) ? 'api' : 'bucket', call.status])).toEqual([
      ['bucket', 403],
      ['api', 200],
      ['bucket', 200],
    ]);
    expect(downloaded.view.artifacts![0]!.url).not.toBe(view.artifacts![0]!.url);
  });

  it('the same for a result only linked by result_url', async () => {
    const view = await completeView(stack, 'summarize');
    await delay(2500);
    const client = createClient({ baseUrl: stack.url });

    const downloaded = await client.download(view);

    expect(downloaded.size).toBe(view.result_size);
    expect(JSON.parse(new TextDecoder().decode(downloaded.bytes))).toEqual(BIG);
  });
});
