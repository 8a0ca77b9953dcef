// Issue 18, property 2: MAX_OUTPUT_BYTES bounds everything a request writes, files written side by
// side and bucket checkpoints of earlier invocations included; past it the request ends as
// result_too_large and what it wrote is removed. Bytes are counted by listing the real bucket.
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bucketContents, depsFor, runToEnd, startHarness, storedRequest, type Harness } from './harness.js';

let h: Harness;
beforeAll(async () => void (h = await startHarness()));
afterAll(async () => h?.stop());

const KIB = 1024;
const MAX_OUTPUT_BYTES = 1024 * KIB;
const INVOCATION_MS = 600_000;

describe('MAX_OUTPUT_BYTES over the whole request', () => {
  it('eight 700 KiB files written in parallel under 1 MiB: result_too_large, nothing left in the bucket', async () => {
    const item = await storedRequest(h);
    const written: number[] = [];
    const deps = depsFor(h, async ({ files }) => {
      await Promise.all(Array.from({ length: 8 }, async (_, index) => written.push((await files.put(`part-${index}.bin`, Buffer.alloc(700 * KIB, index))).size)));
      return 'all written';
    }, { config: { maxOutputBytes: MAX_OUTPUT_BYTES } });

    const results = await runToEnd(deps, item.request_id, INVOCATION_MS);

    const stored = await h.store.get(item.request_id);
    expect({ results, status: stored?.status, code: stored?.error_code }).toEqual({ results: ['failed'], status: 'error', code: 'result_too_large' });
    expect(written.length).toBeLessThanOrEqual(1);
    expect(await bucketContents(h, item.request_id)).toEqual({ keys: [], bytes: 0 });
  });

  it('the same eight files as streams, side by side: result_too_large, nothing left in the bucket', async () => {
    const item = await storedRequest(h);
    const chunks = () => Readable.from(Array.from({ length: 7 }, () => Buffer.alloc(100 * KIB, 1)));
    const deps = depsFor(h, async ({ files }) => {
      await Promise.all(Array.from({ length: 8 }, (_, index) => files.put(`part-${index}.bin`, chunks())));
      return 'all written';
    }, { config: { maxOutputBytes: MAX_OUTPUT_BYTES } });

    const results = await runToEnd(deps, item.request_id, INVOCATION_MS);

    expect({ results, code: (await h.store.get(item.request_id))?.error_code }).toEqual({ results: ['failed'], code: 'result_too_large' });
    expect(await bucketContents(h, item.request_id)).toEqual({ keys: [], bytes: 0 });
  });

  it('a task that catches the refusal and returns anyway still ends result_too_large', async () => {
    const item = await storedRequest(h);
    const deps = depsFor(h, async ({ files }) => {
      await files.put('small.bin', Buffer.alloc(600 * KIB));
      await files.put('large.bin', Buffer.alloc(600 * KIB)).catch(() => undefined);
      return 'done anyway';
    }, { config: { maxOutputBytes: MAX_OUTPUT_BYTES } });

    const results = await runToEnd(deps, item.request_id, INVOCATION_MS);

    expect({ results, code: (await h.store.get(item.request_id))?.error_code }).toEqual({ results: ['failed'], code: 'result_too_large' });
    expect(await bucketContents(h, item.request_id)).toEqual({ keys: [], bytes: 0 });
  });

  it('five 600 KiB bucket checkpoints over continuations under 1 MiB: result_too_large, nothing left in the bucket', async () => {
    const item = await storedRequest(h);
    let ran = 0;
    const deps = depsFor(h, async ({ step, continueLater }) => {
      const lengths: number[] = [];
      for (let index = 1; index <= 5; index += 1) {
        lengths.push((await step(`part-${index}`, async () => (ran += 1, 'x'.repeat(600 * KIB)))).length);
        continueLater();
      }
      return lengths;
    }, { config: { maxOutputBytes: MAX_OUTPUT_BYTES } });

    const results = await runToEnd(deps, item.request_id, INVOCATION_MS);

    const stored = await h.store.get(item.request_id);
    expect({ last: results.at(-1), status: stored?.status, code: stored?.error_code }).toEqual({ last: 'failed', status: 'error', code: 'result_too_large' });
    expect(ran).toBe(2);
    expect(await bucketContents(h, item.request_id)).toEqual({ keys: [], bytes: 0 });
  });

  it('control: output within the limit over continuations completes and stays in the bucket', async () => {
    const item = await storedRequest(h);
    const deps = depsFor(h, async ({ step, continueLater, files }) => {
      await step('one', async () => (await files.put('one.bin', Buffer.alloc(300 * KIB))).size);
      continueLater();
      return step('two', async () => 'y'.repeat(300 * KIB).length);
    }, { config: { maxOutputBytes: MAX_OUTPUT_BYTES } });

    const results = await runToEnd(deps, item.request_id, INVOCATION_MS);

    expect({ results, status: (await h.store.get(item.request_id))?.status }).toEqual({ results: ['continued', 'completed'], status: 'complete' });
    expect((await bucketContents(h, item.request_id)).bytes).toBe(300 * KIB);
  });

  it('a file written again in a later invocation: once the request completes, only the latest object stays', async () => {
    const item = await storedRequest(h);
    const deps = depsFor(h, async ({ step, continueLater, files }) => {
      await step('draft', async () => (await files.put('a.bin', Buffer.alloc(300 * KIB, 1))).size);
      continueLater();
      return step('final', async () => (await files.put('a.bin', Buffer.alloc(100 * KIB, 2))).size);
    }, { config: { maxOutputBytes: MAX_OUTPUT_BYTES } });

    const results = await runToEnd(deps, item.request_id, INVOCATION_MS);

    const stored = await h.store.get(item.request_id);
    expect({ results, status: stored?.status }).toEqual({ results: ['continued', 'completed'], status: 'complete' });
    expect(await bucketContents(h, item.request_id)).toEqual({ keys: stored?.artifacts?.map((file) => file.key), bytes: 100 * KIB });
  });
});
