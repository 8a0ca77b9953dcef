import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { delay } from '../../src/delay.js';
import type { Stack } from '../../src/local/stack.js';
import { createTaskRegistry } from '../../src/tasks/registry.js';
import type { Task } from '../../src/tasks/task.js';
import { startTestStack } from '../support/stack.js';
import { waitFor } from '../support/wait-for.js';
import { cli } from './run-cli.js';

/** Reports 30% at once, then works until cancelled: its view keeps that progress after it ends. */
const stuckAt30: Task = {
  name: 'assess',
  description: 'reports 30%, then waits',
  async run({ signal, reportProgress }) {
    reportProgress({ percent: 30, message: 'Counted 10 words in 2 sentences' });
    await delay(30_000, signal);
    return { summary: '' };
  },
};

describe('async-request-router status of a request that ended as error', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startTestStack({ handlerOverrides: { tasks: createTaskRegistry([stuckAt30]) } });
  });
  afterAll(() => stack?.stop());

  it('shows the status and the error, not the progress it had reached', async () => {
    const accepted = JSON.parse((await cli(['submit', 'Some text.', '--json', '--url', stack.url])).stdout);
    const id: string = accepted.request_id;
    await waitFor(async () => ((await cli(['status', id, '--url', stack.url])).stdout.includes('processing 30%') ? true : undefined));
    expect((await cli(['cancel', id, '--url', stack.url])).code).toBe(0);

    const shown = await cli(['status', id, '--url', stack.url]);

    expect(shown.code).toBe(1);
    expect(shown.stdout).toMatch(/^status {5}error \(cancelled\)$/m);
    expect(shown.stdout).toMatch(/^error {6}The request was cancelled by the caller\. \(cancelled\)$/m);
    expect(shown.stdout).not.toContain('30%');
    expect(shown.stdout).not.toContain('Counted');
    // The JSON document stays the API's view, as it is.
    const json = JSON.parse((await cli(['status', id, '--json', '--url', stack.url])).stdout);
    expect(json).toMatchObject({ status: 'error', error_code: 'cancelled' });
  });
});
