import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { processRequest } from '../../../src/requests/worker.js';
import { depsFor, invocation, startHarness, storedRequest, type Harness } from './harness.js';

let h: Harness;
beforeAll(async () => void (h = await startHarness()));
afterAll(async () => h?.stop());
// Each test cuts the link for a second; the next starts with it back.
beforeEach(async () => {
  await new Promise((resolve) => setTimeout(resolve, 1200));
  h.s3Proxy.restore();
});

const BIG = 40_000; // over CHECKPOINT_INLINE_MAX_BYTES: the checkpoint goes to the bucket

describe('a bucket away for one second', () => {
  it('control: a large final result written while the bucket is away is retried, and the request completes', async () => {
    const item = await storedRequest(h);
    const deps = depsFor(h, async () => {
      h.s3Proxy.cut();
      setTimeout(() => h.s3Proxy.restore(), 1000);
      return 'r'.repeat(100_000);
    }, { objects: h.flakyObjects });
    const result = await processRequest(deps, item.request_id, invocation(600_000));
    expect({ result, status: (await h.store.get(item.request_id))?.status }).toEqual({ result: 'completed', status: 'complete' });
  });

  it('a large step checkpoint written while the bucket is away is retried, and the request completes', async () => {
    const item = await storedRequest(h);
    let runs = 0;
    const deps = depsFor(h, async ({ step }) => {
      const value = await step('big', async () => {
        runs += 1;
        h.s3Proxy.cut();
        setTimeout(() => h.s3Proxy.restore(), 1000);
        return 'x'.repeat(BIG);
      });
      return value.length;
    }, { objects: h.flakyObjects });
    const result = await processRequest(deps, item.request_id, invocation(600_000));
    const stored = await h.store.get(item.request_id);
    expect({ result, runs, status: stored?.status, error: stored?.error }).toEqual({ result: 'completed', runs: 1, status: 'complete', error: undefined });
  });

  it('a continuation replaying a bucket checkpoint while the bucket is away does not end the request', async () => {
    const item = await storedRequest(h);
    let runs = 0;
    let invocationNo = 0;
    const run: Parameters<typeof depsFor>[1] = async ({ step, continueLater }) => {
      invocationNo += 1;
      if (invocationNo === 2) {
        h.s3Proxy.cut();
        setTimeout(() => h.s3Proxy.restore(), 1000);
      }
      const value = await step('big', async () => {
        runs += 1;
        return 'x'.repeat(BIG);
      });
      continueLater();
      return step('next', async () => value.length);
    };
    const first = await processRequest(depsFor(h, run, { objects: h.flakyObjects }), item.request_id, invocation(600_000));
    const second = await processRequest(depsFor(h, run, { objects: h.flakyObjects }), item.request_id, invocation(600_000)).catch((e: Error) => `threw ${e.name}`);
    const stored = await h.store.get(item.request_id);
    // Acceptable: completes, or throws for Lambda to retry with the request still live. Not acceptable: ended for good.
    expect({ first, runs, status: stored?.status, error: stored?.error }).toEqual({ first: 'continued', runs: 1, status: expect.stringMatching(/complete|processing|pending/), error: undefined });
    expect(second).not.toBe('failed');
  });
});
