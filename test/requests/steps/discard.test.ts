// Issue 18, property 7: what a cancelled or failed attempt wrote is removed from the bucket,
// checkpoints included. Counted by listing the real bucket.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TaskError } from '../../../src/tasks/task.js';
import { bucketContents, depsFor, runToEnd, startHarness, storedRequest, type Harness } from './harness.js';

let h: Harness;
beforeAll(async () => void (h = await startHarness()));
afterAll(async () => h?.stop());

const BIG = 40_000; // over CHECKPOINT_INLINE_MAX_BYTES: the checkpoint goes to the bucket
const INVOCATION_MS = 600_000;

describe('what an attempt that wrote no outcome leaves behind', () => {
  it('a bucket checkpoint written while a cancel lands is removed', async () => {
    const item = await storedRequest(h);
    const deps = depsFor(h, async ({ step }) =>
      step('big', async () => {
        await h.store.cancel(item.request_id, Date.now(), 'cancelled', 'cancelled');
        return 'x'.repeat(BIG);
      }),
    );

    const results = await runToEnd(deps, item.request_id, INVOCATION_MS);

    expect({ results, code: (await h.store.get(item.request_id))?.error_code }).toEqual({ results: ['superseded'], code: 'cancelled' });
    expect(await bucketContents(h, item.request_id)).toEqual({ keys: [], bytes: 0 });
  });

  it('a cancel after checkpoints were recorded: the worker that finds it cancelled removes them and the files', async () => {
    const item = await storedRequest(h);
    const deps = depsFor(h, async ({ step, files }) => {
      await step('big', async () => {
        await files.put('draft.txt', 'draft');
        return 'x'.repeat(BIG);
      });
      return step('cancelled', async () => {
        await h.store.cancel(item.request_id, Date.now(), 'cancelled', 'cancelled');
        return 'late';
      });
    });

    const results = await runToEnd(deps, item.request_id, INVOCATION_MS);

    expect({ results, code: (await h.store.get(item.request_id))?.error_code }).toEqual({ results: ['superseded'], code: 'cancelled' });
    expect(await bucketContents(h, item.request_id)).toEqual({ keys: [], bytes: 0 });
  });

  it('a task that fails after its steps recorded files and bucket checkpoints, over a continuation: all removed', async () => {
    const item = await storedRequest(h);
    const deps = depsFor(h, async ({ step, files, continueLater }) => {
      await step('big', async () => {
        await files.put('draft.txt', 'draft');
        return 'x'.repeat(BIG);
      });
      continueLater();
      await step('second', async () => 'y'.repeat(BIG));
      throw new TaskError('the document is empty');
    });

    const results = await runToEnd(deps, item.request_id, INVOCATION_MS);

    const stored = await h.store.get(item.request_id);
    expect({ results, code: stored?.error_code }).toEqual({ results: ['continued', 'failed'], code: 'task_failed' });
    expect(await bucketContents(h, item.request_id)).toEqual({ keys: [], bytes: 0 });
  });
});
