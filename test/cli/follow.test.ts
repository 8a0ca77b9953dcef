import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Stack } from '../../src/local/stack.js';
import { draftTokens } from '../../src/tasks/draft.js';
import { status, submitAccepted } from '../support/http.js';
import { REPO_ROOT, ensureBuilt, startTestStack } from '../support/stack.js';
import { CLI } from './run-cli.js';

const PROMPT = 'The terminal shows each word as the task writes it.';

let stack: Stack | undefined;
afterEach(async () => {
  await stack?.stop();
  stack = undefined;
});

describe('status ID --follow', () => {
  beforeAll(() => ensureBuilt());

  it('prints the output as it arrives, then how the request ended', async () => {
    stack = await startTestStack({ env: { DEMO_TASK_MS: '3000' } });
    const id = await submitAccepted(stack.url, { prompt: PROMPT, task: 'draft' });
    const child = spawn(process.execPath, [join(REPO_ROOT, CLI), 'status', id, '--follow', '--url', stack.url], { env: { PATH: process.env.PATH ?? '' } });
    let stdout = '';
    let stderr = '';
    let statusAtFirstOutput: Promise<unknown> | undefined;
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
      // Printed as it comes: the first text is on the terminal while the request still runs.
      statusAtFirstOutput ??= status(stack!.url, id).then((answer) => answer.body.status);
    });
    child.stderr.on('data', (chunk) => (stderr += chunk));

    const code = await new Promise((resolve) => child.on('close', resolve));

    expect(code, stderr).toBe(0);
    expect(await statusAtFirstOutput).toBe('processing');
    expect(stdout).toBe(`${draftTokens(PROMPT).join('')}\n`);
    expect(stderr).toContain('processing');
    expect(stderr.trim().split('\n').at(-1)).toBe('complete');
  });
});
