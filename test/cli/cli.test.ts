import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Stack } from '../../src/local/stack.js';
import { createTaskRegistry } from '../../src/tasks/registry.js';
import { createAssessTask } from '../../src/tasks/assess.js';
import { delay } from '../../src/delay.js';
import { type Task } from '../../src/tasks/task.js';
import { startTestStack } from '../support/stack.js';
import { CLI, cli } from './run-cli.js';
import { waitFor } from '../support/wait-for.js';
import { fetchWebhookSecret, startWebhookReceiver } from '../support/webhook-receiver.js';

const PROMPT = 'Queues decouple producers from consumers. Workers pull jobs at their own pace.';

const slowTask: Task = { name: 'summarize', description: 'slow', run: async ({ signal }) => (await delay(30_000, signal), { summary: '' }) };

describe('async-request-router CLI', () => {
  let stack: Stack;
  beforeAll(async () => {
    expect(existsSync(CLI), `${CLI} is missing: run node build.mjs first`).toBe(true);
    stack = await startTestStack({ handlerOverrides: { tasks: createTaskRegistry([createAssessTask(600), slowTask]) } });
  });
  afterAll(() => stack?.stop());

  it('submit --wait --json prints the complete view and exits 0', async () => {
    const run = await cli(['submit', PROMPT, '--wait', '--json', '--url', stack.url]);

    expect(run.code).toBe(0);
    const view = JSON.parse(run.stdout);
    expect(view).toMatchObject({ status: 'complete', task: 'assess', result: { word_count: 12 } });
  });

  it('submit --wait prints progress lines (not a TTY) and a readable result', async () => {
    const run = await cli(['submit', PROMPT, '--wait'], { ASYNC_ROUTER_URL: stack.url });

    expect(run.code).toBe(0);
    expect(run.stderr).toMatch(/^accepted {3}[0-9a-f-]{36}$/m);
    expect(run.stderr).toMatch(/^processing \d+% /m);
    expect(run.stdout).toMatch(/^words {6}12$/m);
    expect(run.stdout).toMatch(/^summary {4}\S/m);
  });

  it('submit without --wait prints the id; status shows it', async () => {
    const submitted = await cli(['submit', PROMPT, '--json', '--url', stack.url]);
    const accepted = JSON.parse(submitted.stdout);
    const shown = await cli(['status', accepted.request_id, '--url', stack.url]);

    expect(submitted.code).toBe(0);
    expect(accepted).toMatchObject({ status: 'pending', status_url: `${stack.url}/v1/status/${accepted.request_id}` });
    expect(shown.code).toBe(0);
    expect(shown.stdout).toContain(`request    ${accepted.request_id}`);
  });

  it('submit --callback-url has the ended request posted there, signed; status shows the webhook', async () => {
    const receiver = await startWebhookReceiver(await fetchWebhookSecret(stack.url));
    try {
      const run = await cli(['submit', PROMPT, '--wait', '--json', '--callback-url', `${receiver.url}/done`, '--url', stack.url]);
      expect(run.code).toBe(0);
      const id = JSON.parse(run.stdout).request_id as string;
      await waitFor(() => (receiver.deliveries.length === 1 ? true : undefined));
      expect(receiver.deliveries[0]).toMatchObject({ path: '/done', verified: true, body: { data: { request_id: id, status: 'complete' } } });
      const shown = await waitFor(async () => {
        const status = await cli(['status', id, '--url', stack.url]);
        return status.stdout.includes('webhook    delivered') ? status : undefined;
      });
      expect(shown.stdout).toMatch(/^webhook {4}delivered \(1 try, last 200\)$/m);
    } finally {
      await receiver.stop();
    }
  });

  it('submit --callback-url to a private address exits 1 with the reason', async () => {
    const run = await cli(['submit', PROMPT, '--callback-url', 'http://10.0.0.7/hook', '--url', stack.url]);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/answered 400: callback_url: resolves to an address callbacks may not reach \(10\.0\.0\.7\)/);
  });

  it('status of an unknown id exits 1 with a clear message', async () => {
    const id = '00000000-0000-4000-8000-000000000000';
    const run = await cli(['status', id, '--url', stack.url]);

    expect(run.code).toBe(1);
    expect(run.stderr).toContain(`GET ${stack.url}/v1/status/${id} answered 404: No request with this id`);
  });

  it('usage errors exit 2', async () => {
    const runs = await Promise.all([cli([]), cli(['submit']), cli(['submit', 'x', '--task', 'nope']), cli(['status', 'a', '--wait']), cli(['frobnicate'])]);

    for (const run of runs) {
      expect(run.code).toBe(2);
      expect(run.stderr).toContain('async-request-router --help');
    }
    expect(runs[2]!.stderr).toContain('--task must be one of: assess, summarize');
  });

  it('--help exits 0 and lists the exit codes', async () => {
    const run = await cli(['--help']);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('3 timed out');
  });

  it('--timeout on a long task exits 3; cancel then ends it and status exits 1', async () => {
    const timedOut = await cli(['submit', PROMPT, '--task', 'summarize', '--timeout', '1', '--url', stack.url]);
    const id = /accepted {3}([0-9a-f-]{36})/.exec(timedOut.stderr)?.[1];

    expect(timedOut.code).toBe(3);
    expect(timedOut.stderr).toContain('gave up after 1 s');
    expect(id).toBeDefined();
    const cancelled = await cli(['cancel', id!, '--json', '--url', stack.url]);
    expect(cancelled.code).toBe(0);
    expect(JSON.parse(cancelled.stdout)).toMatchObject({ status: 'error', error_code: 'cancelled' });
    const shown = await cli(['status', id!, '--url', stack.url]);
    expect(shown.code).toBe(1);
    expect(shown.stdout).toContain('(cancelled)');
    const again = await cli(['cancel', id!, '--url', stack.url]);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('answered 409');
  });
});
