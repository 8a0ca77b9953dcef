import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { processRequest } from '../../../src/requests/worker.js';
import { sweep } from '../../../src/requests/sweeper.js';
import { delay } from '../../../src/delay.js';
import { silentLogger } from '../../../src/log.js';
import { silentMetrics } from '../../../src/metrics.js';
import { TaskError } from '../../../src/tasks/task.js';
import { depsFor, invocation, recordingDispatcher, startHarness, storedRequest, type Harness } from './harness.js';

let h: Harness;
beforeAll(async () => void (h = await startHarness()));
afterAll(async () => h?.stop());

describe('step semantics', () => {
  it('cancel while a step that ignores its signal runs: nothing checkpointed, no later step, stays cancelled', async () => {
    const item = await storedRequest(h);
    const started: string[] = [];
    const deps = depsFor(h, async ({ step }) => {
      await step('one', async () => {
        started.push('one');
        await delay(1500);
        return 1;
      });
      await step('two', async () => void started.push('two'));
      return 'done';
    }, { config: { progressIntervalMs: 50 } });
    const run = processRequest(deps, item.request_id, invocation(600_000));
    await delay(300);
    await h.store.cancel(item.request_id, Date.now(), 'cancelled', 'cancelled');
    const result = await run;
    await delay(1500); // the step's own promise settles and tries its checkpoint
    const stored = await h.store.get(item.request_id);
    expect({ result, started, status: stored?.status, code: stored?.error_code, steps: stored?.steps }).toEqual({
      result: 'superseded', started: ['one'], status: 'error', code: 'cancelled', steps: {},
    });
  });

  it('a step result that is not JSON (BigInt, cycle) ends task_failed with a sentence', async () => {
    for (const make of [() => 10n, () => { const a: Record<string, unknown> = {}; a.self = a; return a; }]) {
      const item = await storedRequest(h);
      const result = await processRequest(depsFor(h, async ({ step }) => step('x', async () => make())), item.request_id, invocation(600_000));
      const stored = await h.store.get(item.request_id);
      expect({ result, code: stored?.error_code, error: stored?.error }).toEqual({ result: 'failed', code: 'task_failed', error: 'Step "x" returned a result that is not JSON.' });
    }
  });

  it('a TaskError thrown in a step reaches the caller; another error is hidden behind a reference', async () => {
    const a = await storedRequest(h);
    await processRequest(depsFor(h, async ({ step }) => step('x', async () => { throw new TaskError('bad input'); })), a.request_id, invocation(600_000));
    const b = await storedRequest(h);
    await processRequest(depsFor(h, async ({ step }) => step('x', async () => { throw new Error('secret internals'); })), b.request_id, invocation(600_000));
    expect((await h.store.get(a.request_id))?.error).toBe('bad input');
    expect((await h.store.get(b.request_id))?.error).toMatch(/^The task failed\. Reference/);
  });

  it('a task that catches the continuation signal does not complete with a partial result', async () => {
    const item = await storedRequest(h);
    const deps = depsFor(h, async ({ step, continueLater }) => {
      const first = await step('one', async () => 1);
      continueLater();
      const settled = await Promise.allSettled([step('two', async () => 2)]);
      return { first, second: settled[0]!.status === 'fulfilled' ? settled[0]!.value : 'missing' };
    });
    const result = await processRequest(deps, item.request_id, invocation(600_000));
    const stored = await h.store.get(item.request_id);
    expect({ result, status: stored?.status, stored: stored?.result }).toEqual({ result: 'continued', status: 'pending', stored: undefined });
  });

  it('a step result DynamoDB cannot store (an empty key), without a bucket: the sentence says why', async () => {
    const item = await storedRequest(h);
    await processRequest(depsFor(h, async ({ step }) => step('x', async () => ({ '': 1 })), { objects: undefined }), item.request_id, invocation(600_000));
    const stored = await h.store.get(item.request_id);
    expect(stored?.error).toMatch(/empty/);
  });

  it('a handed-back request whose continuation event is lost is ended by the first sweep after its deadline', async () => {
    const item = await storedRequest(h, { deadline_at: Date.now() + 1500 });
    const { dispatcher, sent } = { ...recordingDispatcher() };
    const deps = depsFor(h, async ({ step, continueLater }) => {
      await step('one', async () => 1);
      continueLater();
      return step('two', async () => 2);
    }, { dispatcher });
    expect(await processRequest(deps, item.request_id, invocation(600_000))).toBe('continued');
    await delay(1700); // past the deadline; the continuation event was lost (the recording dispatcher sends nothing)
    const report = await sweep({ config: { ...deps.config, sweepBatch: 50 } as never, store: h.store, objects: undefined, dispatcher, now: Date.now, log: silentLogger, metrics: silentMetrics }, invocation(60_000));
    const after = await h.store.get(item.request_id);
    expect({ status: after?.status, code: after?.error_code }).toEqual({ status: 'error', code: 'deadline_exceeded' });
  });
});
