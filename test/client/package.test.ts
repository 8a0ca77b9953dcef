import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../support/stack.js';

// The client as a frontend project gets it: the packed package installed into an empty project.
// (A git-URL install packs the same way, after running `prepare`; here the test command has built
// dist/ already, and a second build would race the tests that read it.)

const TSC = join(REPO_ROOT, 'node_modules', '.bin', 'tsc');
const USE = `import { createClient, DownloadError, ExpiredUrlError, RequestFailedError, type DownloadInfo, type Downloaded, type RequestView, type TaskName } from 'async-request-router/client';
const task: TaskName = 'summarize';
const client = createClient({ baseUrl: 'http://127.0.0.1:3000' });
const view: Promise<RequestView> = client.get('x');
const inMemory: Promise<Downloaded> = client.download('x', 'report.html', { onProgress: (received: number, total: number | undefined) => void [received, total] });
const streamed: Promise<DownloadInfo> = client.download('x', undefined, { into: new WritableStream<Uint8Array>() });
export { client, task, view, inMemory, streamed, RequestFailedError, DownloadError, ExpiredUrlError };
`;

describe('the client package', () => {
  let scratch: string;
  let consumer: string;
  beforeAll(() => {
    scratch = mkdtempSync(join(tmpdir(), 'client-package-'));
    const tarball = execFileSync('npm', ['pack', '--silent', '--ignore-scripts', '--pack-destination', scratch], { cwd: REPO_ROOT, encoding: 'utf8' }).trim().split('\n').at(-1)!;
    consumer = join(scratch, 'consumer');
    execFileSync('mkdir', ['-p', consumer]);
    writeFileSync(join(consumer, 'package.json'), JSON.stringify({ name: 'consumer', version: '1.0.0', type: 'module', private: true }));
    execFileSync('npm', ['install', '--offline', '--no-audit', '--no-fund', join(scratch, tarball)], { cwd: consumer, encoding: 'utf8' });
  }, 120_000);
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));

  it('installs nothing else: no AWS SDK, no dependency at all', () => {
    const installed = readdirSync(join(consumer, 'node_modules')).filter((name) => !name.startsWith('.'));
    expect(installed).toEqual(['async-request-router']);
  });

  it('installs one command, async-request-router, that npx --no runs without asking the registry', () => {
    const bins = readdirSync(join(consumer, 'node_modules', '.bin'));
    // npm_config_offline: were npx to look past the project's own bins, it would fail here.
    const run = spawnSync('npx', ['--no', 'async-request-router', 'check', '--url', 'not-a-url'], { cwd: consumer, encoding: 'utf8', env: { ...process.env, npm_config_offline: 'true' } });
    expect(bins).toEqual(['async-request-router']);
    expect(run.status, run.stderr).toBe(2);
    expect(run.stderr).toContain('async-request-router: --url must be an http(s) URL');
  });

  it('loads with import, and with require on Node 20.19 and later', () => {
    const imported = spawnSync(process.execPath, ['--input-type=module', '-e', "import('async-request-router/client').then((m) => console.log(typeof m.createClient))"], { cwd: consumer, encoding: 'utf8' });
    const required = spawnSync(process.execPath, ['-e', "console.log(typeof require('async-request-router/client').createClient)"], { cwd: consumer, encoding: 'utf8' });
    expect(imported.stdout.trim()).toBe('function');
    expect(required.stdout.trim(), required.stderr).toBe('function');
  });

  it.each([
    ['node16', 'node16'],
    ['nodenext', 'nodenext'],
    ['bundler', 'esnext'],
  ])('type-checks a consumer under moduleResolution %s', (resolution, module) => {
    writeFileSync(join(consumer, 'use.ts'), USE);
    const compilerOptions = { noEmit: true, strict: true, skipLibCheck: false, module, moduleResolution: resolution, target: 'es2022', lib: ['es2022', 'dom'], types: [] };
    writeFileSync(join(consumer, `tsconfig.${resolution}.json`), JSON.stringify({ compilerOptions, files: ['use.ts'] }));
    const run = spawnSync(process.execPath, [TSC, '-p', `tsconfig.${resolution}.json`], { cwd: consumer, encoding: 'utf8' });
    expect(run.status, run.stdout + run.stderr).toBe(0);
  });
});
