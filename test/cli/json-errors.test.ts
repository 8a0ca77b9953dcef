import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { delay } from '../../src/delay.js';
import type { Stack } from '../../src/local/stack.js';
import { createTaskRegistry } from '../../src/tasks/registry.js';
import { closedPortUrl } from '../support/ports.js';
import { startTestStack } from '../support/stack.js';
import { cli } from './run-cli.js';

describe('async-request-router --json when things go wrong', () => {
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
