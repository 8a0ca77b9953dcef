import { existsSync } from 'node:fs';
import { mkdtemp, readFile, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DeleteObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient, type RequestView } from '../../src/client/index.js';
import { runCli } from '../../src/cli/run.js';
import { LOCAL_CREDENTIALS, LOCAL_REGION, type Stack } from '../../src/local/stack.js';
import { createAssessTask } from '../../src/tasks/assess.js';
import { createTaskRegistry } from '../../src/tasks/registry.js';
import { createReportTask } from '../../src/tasks/report.js';
import type { Task } from '../../src/tasks/task.js';
import { startTestStack } from '../support/stack.js';
import { CLI, cli } from './run-cli.js';

const PROMPT = 'Reports are large. They go to the bucket. The CLI saves them to a file, a chunk at a time.';
const MB = 1024 * 1024;

/** summarize: a result of about 2 MB, too large to carry inline, so the view only links it. */
const BIG = { rows: Array.from({ length: 20_000 }, (_, index) => ({ row: index, text: `row ${index} `.padEnd(90, '.') })) };
const bigResult: Task = { name: 'summarize', description: 'big result', run: async () => BIG };

describe('async-request-router --output', () => {
  let stack: Stack;
  let scratch: string;
  beforeAll(async () => {
    expect(existsSync(CLI), `${CLI} is missing: run node build.mjs first`).toBe(true);
    stack = await startTestStack({ handlerOverrides: { tasks: createTaskRegistry([createAssessTask(150), bigResult, createReportTask(150, 1)]) } });
    scratch = await mkdtemp(join(tmpdir(), 'cli-output-'));
  });
  afterAll(async () => {
    await stack?.stop();
    if (scratch !== undefined) await rm(scratch, { recursive: true, force: true });
  });

  const read = (id: string) => createClient({ baseUrl: stack.url }).get(id);
  /** Whatever a failed save left in the folder besides the files asked for: nothing, if it cleaned up. */
  const leftovers = async () => (await readdir(scratch)).filter((name) => name.endsWith('.part'));

  it('submit --task report --artifact report.html --output FILE --json: saves report.html whole and prints the view with what was saved', async () => {
    const file = join(scratch, 'report.html');
    const run = await cli(['submit', PROMPT, '--task', 'report', '--artifact', 'report.html', '--output', file, '--json', '--url', stack.url]);

    expect(run.code, run.stderr).toBe(0);
    const document = JSON.parse(run.stdout);
    const [artifact] = document.artifacts;
    expect(document).toMatchObject({ status: 'complete', task: 'report', result: { report: 'report.html' } });
    expect(artifact.size).toBeGreaterThanOrEqual(MB);
    expect(document.saved).toEqual({ file, bytes: artifact.size, artifact: 'report.html', content_type: 'text/html; charset=utf-8' });
    expect((await stat(file)).size).toBe(artifact.size);
    expect((await readFile(file, 'utf8')).slice(0, 300)).toContain('<h1>Assessment report</h1>');
    expect(run.stderr).toBe('');
  });

  it('submit --artifact NAME --output FILE (text): the summary, the file line, then "saved FILE (N bytes)"; one line on stderr as it downloads', async () => {
    const file = join(scratch, 'text-report.html');
    const run = await cli(['submit', PROMPT, '--task', 'report', '--artifact', 'report.html', '-o', file, '--url', stack.url]);

    expect(run.code, run.stderr).toBe(0);
    const size = (await stat(file)).size;
    expect(size).toBeGreaterThanOrEqual(MB);
    expect(run.stdout).toMatch(/^report {5}report\.html \(1\.0 MB\)$/m);
    expect(run.stdout).toMatch(/^summary {4}\S/m);
    expect(run.stdout).toMatch(/^file {7}report\.html {2}1\.0 MB {2}text\/html; charset=utf-8 {2}\(save it with --artifact report\.html\)$/m);
    expect(run.stdout.trimEnd().split('\n').at(-1)).toBe(`saved ${file} (${size} bytes)`);
    expect(run.stderr).toContain(`downloading report.html (1.0 MB) to ${file}`);
  });

  it('status <report id> --output FILE saves the result as JSON, not the file the report wrote', async () => {
    const accepted = await createClient({ baseUrl: stack.url }).submit({ prompt: PROMPT, task: 'report' });
    const view = await createClient({ baseUrl: stack.url }).wait(accepted);
    const file = join(scratch, 'report-result.json');

    const run = await cli(['status', accepted.request_id, '--output', file, '--json', '--url', stack.url]);

    expect(run.code, run.stderr).toBe(0);
    expect(JSON.parse(await readFile(file, 'utf8'))).toEqual(view.result);
    expect(JSON.parse(run.stdout).saved).toEqual({ file, bytes: Buffer.byteLength(JSON.stringify(view.result)), artifact: null, content_type: 'application/json' });
  });

  it('status <id> --artifact NAME saves that file under its own name in the current folder, and the view says how', async () => {
    const accepted = await createClient({ baseUrl: stack.url }).submit({ prompt: PROMPT, task: 'report' });
    const view = await createClient({ baseUrl: stack.url }).wait(accepted);
    const shown = await cli(['status', accepted.request_id, '--url', stack.url]);

    const run = await cli(['status', accepted.request_id, '--artifact', 'report.html', '--url', stack.url], {}, scratch);

    expect(shown.stdout).toMatch(/^file {7}report\.html {2}1\.0 MB {2}text\/html; charset=utf-8 {2}\(save it with --artifact report\.html\)$/m);
    expect(run.code, run.stderr).toBe(0);
    expect((await stat(join(scratch, 'report.html'))).size).toBe(view.artifacts![0]!.size);
    expect(run.stdout.trimEnd().split('\n').at(-1)).toBe(`saved report.html (${view.artifacts![0]!.size} bytes)`);
  });

  it('status <id> --output FILE saves a result the API only links (result_url), byte for byte', async () => {
    const accepted = JSON.parse((await cli(['submit', PROMPT, '--task', 'summarize', '--json', '--url', stack.url])).stdout);
    const view = await createClient({ baseUrl: stack.url }).wait(accepted.request_id, { fetchResult: false });
    const file = join(scratch, 'result.json');

    const run = await cli(['status', accepted.request_id, '--output', file, '--url', stack.url]);

    expect(run.code, run.stderr).toBe(0);
    expect(view.result_url).toBeDefined();
    expect((await stat(file)).size).toBe(view.result_size);
    expect(JSON.parse(await readFile(file, 'utf8'))).toEqual(BIG);
    expect(run.stdout).toContain(`request    ${accepted.request_id}`);
    expect(run.stdout).toMatch(/^result {5}\d+\.\d MB of JSON, too large to show inline/m);
    expect(run.stdout.trimEnd().split('\n').at(-1)).toBe(`saved ${file} (${view.result_size} bytes)`);
  });

  it('submit --wait --output FILE of a task with no files saves its result as JSON; the same with --json', async () => {
    const file = join(scratch, 'assess.json');
    const run = await cli(['submit', PROMPT, '--wait', '--output', file, '--json', '--url', stack.url]);

    expect(run.code, run.stderr).toBe(0);
    const document = JSON.parse(run.stdout);
    const saved = JSON.parse(await readFile(file, 'utf8'));
    expect(saved).toEqual(document.result);
    expect(saved.word_count).toBe(20);
    expect(document.saved).toEqual({ file, bytes: Buffer.byteLength(JSON.stringify(document.result)), artifact: null, content_type: 'application/json' });
  });

  it('a download that fails exits 1, names the file and why, leaves nothing behind; --json says so as JSON', async () => {
    const accepted = JSON.parse((await cli(['submit', PROMPT, '--task', 'report', '--json', '--url', stack.url])).stdout);
    const id: string = accepted.request_id;
    const view: RequestView = await createClient({ baseUrl: stack.url }).wait(id);
    // The object goes away behind the view's back (say, a lifecycle rule): S3 answers 404 NoSuchKey.
    const s3 = new S3Client({ endpoint: stack.s3.endpoint, forcePathStyle: true, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS });
    const key = decodeURIComponent(new URL(view.artifacts![0]!.url).pathname).split('/').slice(2).join('/');
    await s3.send(new DeleteObjectCommand({ Bucket: stack.config.resultsBucket!, Key: key }));
    s3.destroy();
    const file = join(scratch, 'gone.html');

    const text = await cli(['status', id, '--artifact', 'report.html', '--output', file, '--url', stack.url]);
    const json = await cli(['status', id, '--artifact', 'report.html', '--output', file, '--json', '--url', stack.url]);

    expect(text.code).toBe(1);
    expect(text.stderr).toMatch(new RegExp(`^async-request-router: could not save report\\.html of request ${id} to ${file}: GET \\S+/report\\.html answered 404: The specified key does not exist\\.$`, 'm'));
    expect(text.stderr).not.toContain('X-Amz-Signature');
    expect(text.stdout).toBe('');
    expect(json.code).toBe(1);
    expect(JSON.parse(json.stdout)).toMatchObject({ error: 'download', request_id: id, file, artifact: 'report.html', status: 404, error_code: 'NoSuchKey' });
    expect(existsSync(file)).toBe(false);
    expect(await leftovers()).toEqual([]);
  });

  it('--artifact NAME that the request lacks exits 1 naming the files it has', async () => {
    const accepted = JSON.parse((await cli(['submit', PROMPT, '--task', 'report', '--json', '--url', stack.url])).stdout);
    const id: string = accepted.request_id;
    await createClient({ baseUrl: stack.url }).wait(id, { fetchResult: false });
    const file = join(scratch, 'nope.pdf');

    const text = await cli(['status', id, '--output', file, '--artifact', 'report.pdf', '--url', stack.url]);
    const json = await cli(['status', id, '--output', file, '--artifact', 'report.pdf', '--json', '--url', stack.url]);
    const named = await cli(['status', id, '--output', join(scratch, 'named.html'), '--artifact', 'report.html', '--json', '--url', stack.url]);

    expect(text.code).toBe(1);
    expect(text.stderr).toContain(`request ${id} has no file named "report.pdf"; its files are: "report.html"`);
    expect(json.code).toBe(1);
    expect(JSON.parse(json.stdout)).toMatchObject({ error: 'download', code: 'unknown_artifact', available: ['report.html'], artifact: 'report.pdf' });
    expect(existsSync(file)).toBe(false);
    expect(named.code, named.stderr).toBe(0);
    expect(JSON.parse(named.stdout).saved.bytes).toBe((await read(id)).artifacts![0]!.size);
  });

  it('an unwritable folder fails at once, before anything is submitted', async () => {
    const nowhere = await cli(['submit', PROMPT, '--output', join(scratch, 'no-such-folder', 'x.json'), '--url', stack.url]);

    expect(nowhere.code).toBe(1);
    expect(nowhere.stderr).toContain(`cannot write ${join(scratch, 'no-such-folder', 'x.json')}: no folder ${join(scratch, 'no-such-folder')}`);
    expect(nowhere.stderr).not.toContain('accepted');
  });

  it('usage: --artifact needs a name; neither it nor --output applies to cancel or check', async () => {
    const runs = await Promise.all([
      cli(['status', 'x', '--artifact', '..']),
      cli(['cancel', 'x', '--output', 'f']),
      cli(['check', '--output', 'f']),
      cli(['status', 'x', '--output', '']),
    ]);
    expect(runs.map((run) => run.code)).toEqual([2, 2, 2, 2]);
    expect(runs[0]!.stderr).toContain('--artifact needs a file name, as the request lists it');
    expect(runs[1]!.stderr).toContain('--output only applies to submit and status');
  });

  it('on a terminal, draws a download bar on stderr, redrawn in place, ending at 100% and cleared', async () => {
    const accepted = await createClient({ baseUrl: stack.url }).submit({ prompt: PROMPT, task: 'report' });
    await createClient({ baseUrl: stack.url }).wait(accepted, { fetchResult: false });
    const file = join(scratch, 'tty.html');
    let stdout = '';
    let stderr = '';

    const code = await runCli(['status', accepted.request_id, '--artifact', 'report.html', '--output', file, '--url', stack.url], { url: stack.url, apiKey: undefined }, {
      stdout: { write: (text: string) => (stdout += text) },
      stderr: { write: (text: string) => (stderr += text), isTTY: true },
      interrupt: new AbortController().signal,
    });

    expect(code).toBe(0);
    const frames = stderr.split('\r\x1b[2K').filter((frame) => frame !== '');
    expect(frames.length).toBeGreaterThanOrEqual(1);
    expect(frames.at(-1)).toMatch(/^\[#{24}\] 100% {2}1\.0 MB of 1\.0 MB {2}report\.html$/);
    expect(stderr.endsWith('\r\x1b[2K')).toBe(true);
    expect(stdout).toContain(`saved ${file} (${(await stat(file)).size} bytes)`);
  });
});

describe('async-request-router --output of a request with several files', () => {
  let stack: Stack;
  let scratch: string;
  /** A request with this prompt runs until the test releases it: still running, whatever the machine's pace. */
  const HELD = 'Held until released.';
  let release: () => void = () => {};
  const released = new Promise<void>((resolve) => (release = resolve));
  beforeAll(async () => {
    const twoFiles: Task = {
      name: 'assess',
      description: 'writes two files',
      run: async ({ input, files }) => {
        if (input.prompt === HELD) await released;
        await files.put('a.txt', 'first file\n', 'text/plain');
        await files.put('b.csv', 'x,y\n1,2\n', 'text/csv');
        return { files: 2 };
      },
    };
    stack = await startTestStack({ handlerOverrides: { tasks: createTaskRegistry([twoFiles]) } });
    scratch = await mkdtemp(join(tmpdir(), 'cli-output-two-'));
  });
  afterAll(async () => {
    release();
    await stack?.stop();
    if (scratch !== undefined) await rm(scratch, { recursive: true, force: true });
  });

  it('status --output of a request still running exits 1 with a plain sentence', async () => {
    const accepted = await createClient({ baseUrl: stack.url }).submit({ prompt: HELD });
    const early = await cli(['status', accepted.request_id, '--output', join(scratch, 'early'), '--json', '--url', stack.url]);
    const text = await cli(['status', accepted.request_id, '--output', join(scratch, 'early'), '--url', stack.url]);
    release();

    expect(early.code).toBe(1);
    expect(JSON.parse(early.stdout)).toMatchObject({ error: 'download', code: 'not_complete', request_id: accepted.request_id });
    expect(text.code).toBe(1);
    expect(text.stderr).toMatch(new RegExp(`request ${accepted.request_id} is (pending|processing): there is nothing to download until it is complete`));
    expect(existsSync(join(scratch, 'early'))).toBe(false);
    expect((await readdir(scratch)).filter((name) => name.endsWith('.part'))).toEqual([]);
  });

  it('--output saves the result, the view names both files with how to save each, --artifact saves the one named', async () => {
    const file = join(scratch, 'out');
    const result = await cli(['submit', PROMPT, '--output', join(scratch, 'result.json'), '--url', stack.url]);
    const id = /^accepted {3}([0-9a-f-]{36})$/m.exec(result.stderr)?.[1];
    const shown = await cli(['status', id!, '--url', stack.url]);
    const picked = await cli(['status', id!, '--output', file, '--artifact', 'b.csv', '--json', '--url', stack.url]);

    expect(result.code, result.stderr).toBe(0);
    expect(JSON.parse(await readFile(join(scratch, 'result.json'), 'utf8'))).toEqual({ files: 2 });
    expect(shown.stdout).toContain('file       a.txt  11 B  text/plain  (save it with --artifact a.txt)');
    expect(shown.stdout).toContain('file       b.csv  8 B  text/csv  (save it with --artifact b.csv)');
    expect(picked.code, picked.stderr).toBe(0);
    expect(JSON.parse(picked.stdout).saved).toEqual({ file, bytes: 8, artifact: 'b.csv', content_type: 'text/csv' });
    expect(await readFile(file, 'utf8')).toBe('x,y\n1,2\n');
  });
});
