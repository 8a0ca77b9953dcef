import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { processRequest } from '../../../src/requests/worker.js';
import { depsFor, invocation, startHarness, storedRequest, type Harness } from './harness.js';

let h: Harness;
beforeAll(async () => void (h = await startHarness()));
afterAll(async () => h?.stop());

const STEP_CHARS = 30_000; // under CHECKPOINT_INLINE_MAX_BYTES (32 KiB): each stays in the item
const RESULT_CHARS = 50_000; // under INLINE_RESULT_MAX_BYTES (64 KiB)

describe('checkpoint size accounting', () => {
  it('completes (result spilled to the bucket) after many inline checkpoints written in the same invocation', async () => {
    const item = await storedRequest(h);
    const deps = depsFor(h, async ({ step }) => {
      for (let i = 0; i < 12; i += 1) await step(`s${i}`, async () => String(i % 10).repeat(STEP_CHARS));
      return 'r'.repeat(RESULT_CHARS);
    });
    const result = await processRequest(deps, item.request_id, invocation(600_000));
    const stored = await h.store.get(item.request_id);
    expect({ result, status: stored?.status, error_code: stored?.error_code, error: stored?.error }).toEqual({
      result: 'completed',
      status: 'complete',
      error_code: undefined,
      error: undefined,
    });
  });

  it('control: the same checkpoints all written by an earlier invocation (so in claimed.steps): the result spills and the request completes', async () => {
    const item = await storedRequest(h);
    const run: Parameters<typeof depsFor>[1] = async ({ step, continueLater }) => {
      for (let i = 0; i < 12; i += 1) await step(`s${i}`, async () => String(i % 10).repeat(STEP_CHARS));
      continueLater();
      await step('tiny', async () => 1);
      return 'r'.repeat(RESULT_CHARS);
    };
    const first = await processRequest(depsFor(h, run), item.request_id, invocation(600_000));
    const second = await processRequest(depsFor(h, run), item.request_id, invocation(600_000));
    const stored = await h.store.get(item.request_id);
    expect({ first, second, status: stored?.status, spilled: stored?.result_object !== undefined }).toEqual({ first: 'continued', second: 'completed', status: 'complete', spilled: true });
  });

  it('parallel steps (Promise.all) whose checkpoints each fit but together pass 400 KB', async () => {
    const item = await storedRequest(h);
    let runs = 0;
    const deps = depsFor(h, async ({ step }) => {
      const parts = await Promise.all(
        Array.from({ length: 14 }, (_, i) =>
          step(`p${i}`, async () => {
            runs += 1;
            return String(i % 10).repeat(STEP_CHARS);
          }),
        ),
      );
      return parts.length;
    });
    const result = await processRequest(deps, item.request_id, invocation(600_000));
    const stored = await h.store.get(item.request_id);
    expect({ result, runs, status: stored?.status, error_code: stored?.error_code, error: stored?.error }).toEqual({
      result: 'completed',
      runs: 14,
      status: 'complete',
      error_code: undefined,
      error: undefined,
    });
  });
});
