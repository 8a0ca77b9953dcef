import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Stack } from '../../src/local/stack.js';
import { status, submitAccepted } from '../support/http.js';
import { createLogCollector } from '../support/logs.js';
import { ensureBuilt, startTestStack } from '../support/stack.js';
import { waitFor } from '../support/wait-for.js';
import { sandboxProcesses } from './helpers.js';

const PROMPT = 'Long-polls are held by the function; in AWS each one has an execution environment of its own.';
/** What `npm start` uses (src/local/main.ts). */
const LOCAL_LANES = { events: 8, sync: 4 };
const HELD_POLLS = 12;
/** A call stuck behind the long-polls would wait up to 25 s; give up well before, so a failure is quick. */
const GIVE_UP_MS = 5000;

/** One real HTTP call over a socket, timed; answers the status and how long it took. */
async function timed(url: string, init: RequestInit = {}): Promise<{ status: number; ms: number }> {
  const started = performance.now();
  const response = await fetch(url, { ...init, signal: AbortSignal.timeout(GIVE_UP_MS) });
  await response.arrayBuffer();
  return { status: response.status, ms: performance.now() - started };
}

describe('long-polls on the sandbox runtime, as npm start runs it', () => {
  let stack: Stack | undefined;
  const logs = createLogCollector();

  beforeAll(() => ensureBuilt());
  afterEach(async () => {
    await stack?.stop();
    stack = undefined;
  });

  it('never hold up a submit or a plain status read, and the sandboxes stay few', async () => {
    stack = await startTestStack({ runtime: 'sandbox', lanes: LOCAL_LANES, log: logs.log, env: { DEMO_TASK_MS: '30000' } });
    const url = stack.url;
    // Background work really running, in the events lane.
    const working = await submitAccepted(url, { prompt: PROMPT });
    await waitFor(async () => ((await status(url, working)).body.status === 'processing' ? true : undefined));
    // A request whose event is lost stays pending, so long-polls on it are held their full 25 s.
    stack.lambda.faults.dropEvents = true;
    const pending = await submitAccepted(url, { prompt: PROMPT });

    const polls = new AbortController();
    let answered = 0;
    const held = Array.from({ length: HELD_POLLS }, () =>
      fetch(`${url}/v1/status/${pending}?wait=25`, { signal: polls.signal }).then(
        () => void (answered += 1),
        () => {},
      ),
    );
    try {
      await waitFor(() => (stack!.lambda.load().running >= HELD_POLLS + 1 ? true : undefined), { timeoutMs: 10_000 });
      await new Promise((resolve) => setTimeout(resolve, 1500)); // every cold start done: the polls are in the handler

      const body = JSON.stringify({ prompt: PROMPT });
      const submit = await timed(`${url}/v1/invoke`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body });
      const read = await timed(`${url}/v1/status/${pending}`);
      const sandboxes = sandboxProcesses();
      const totalRssMb = sandboxes.reduce((sum, sandbox) => sum + sandbox.rssMb, 0);
      console.log(
        `with ${HELD_POLLS} long-polls held: submit ${submit.ms.toFixed(0)} ms, status ${read.ms.toFixed(0)} ms; ` +
          `${sandboxes.length} sandbox processes, RSS ${sandboxes.map((sandbox) => sandbox.rssMb.toFixed(0)).join('+')} = ${totalRssMb.toFixed(0)} MB`,
      );

      // Answered while every long-poll is still held (they end only after 25 s): not queued behind them.
      expect(answered).toBe(0);
      expect(submit).toMatchObject({ status: 202 });
      expect(read).toMatchObject({ status: 200 });
      // The worker's environment plus at most the sync lane's, however many calls are held.
      expect(sandboxes.length).toBeLessThanOrEqual(LOCAL_LANES.sync + 1);
      expect(stack.sandbox!.counts().busy).toBeLessThanOrEqual(LOCAL_LANES.sync + 1);
    } finally {
      polls.abort();
      await Promise.all(held);
    }
    // Every invocation, shared environment or not, has its own START, END and REPORT line.
    const ids = (prefix: string) => new Set(logs.lines.filter((line) => line.startsWith(prefix)).map((line) => /RequestId: (\S+)/.exec(line)![1]));
    expect(ids('START RequestId').size).toBeGreaterThanOrEqual(HELD_POLLS + 4);
    expect([...ids('END RequestId')].every((id) => ids('START RequestId').has(id))).toBe(true);
    expect([...ids('REPORT RequestId')]).toEqual([...ids('END RequestId')]);
  });
});
