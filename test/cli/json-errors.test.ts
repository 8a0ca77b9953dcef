import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { delay } from '../../src/delay.js';
import type { Stack } from '../../src/local/stack.js';
import { createTaskRegistry } from '../../src/tasks/registry.js';
import { startTestStack } from '../support/stack.js';

const CLI = 'dist/cli.mjs';

/** Runs the built CLI as a user would, with only the env it is given. */
function cli(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { env: { PATH: process.env.PATH ?? '' } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

async function closedPortUrl(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return `http://127.0.0.1:${port}`;
}

describe('async-router --json when things go wrong', () => {
  let stack: Stack;
  beforeAll(async () => {
    const slow = createTaskRegistry([{ name: 'assess', description: 'slow', run: async ({ signal }) => (await delay(30_000, signal), 'late') }]);
    stack = await startTestStack({ handlerOverrides: { tasks: slow } });
  });
  afterAll(() => stack?.stop());

  it('prints an API error as JSON on stdout, with exit status 1', async () => {
    const run = await cli(['status', '00000000-0000-4000-8000-000000000000', '--json', '--url', stack.url]);
    expect(run.code).toBe(1);
    expect(JSON.parse(run.stdout)).toMatchObject({ error: 'http', status: 404, error_code: 'not_found' });
  });

  it('prints a timeout as JSON on stdout, with the request id and exit status 3', async () => {
    const run = await cli(['submit', 'Slow work.', '--timeout', '1', '--json', '--url', stack.url]);
    const document = JSON.parse(run.stdout);
    expect(run.code).toBe(3);
    expect(document).toMatchObject({ error: 'timeout', request_id: expect.stringMatching(/^[0-9a-f-]{36}$/) });
  });

  it('prints a refused connection as JSON on stdout, naming the system code, with exit status 1', async () => {
    const run = await cli(['status', '00000000-0000-4000-8000-000000000000', '--json', '--url', await closedPortUrl()]);
    expect(run.code).toBe(1);
    expect(JSON.parse(run.stdout)).toMatchObject({ error: 'network', code: 'ECONNREFUSED' });
    expect(run.stderr).toMatch(/ECONNREFUSED/);
  });
});
