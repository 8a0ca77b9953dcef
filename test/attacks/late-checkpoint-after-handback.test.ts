// Attack on issue 18, properties 1 and 7: a step still running when the bounded wait before a
// hand-back runs out checkpoints into the bucket afterwards, and that object is never removed.
//
// FAULT: the hand-back waits for the steps side by side only until the invocation's time is up
// (worker.ts, handOver), then hands the request back without closing the attempt's output (only
// discard/removeAll close it). A step that ignores its signal past that (or resumes when Lambda
// thaws the sandbox) still writes its bucket checkpoint under the old attempt's key; the fenced
// checkpoint write fails and `uncommit` removes the object only once the output is closed, which
// it never is on a hand-back. The next invocation runs the step again under its own attempt's
// key, so the late object is pointed at by nothing, counted by no budget, and stays in the bucket
// after the request completes. Real workers, table and bucket; the late write is awaited through
// the step's own promise, no wall-clock waits.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { processRequest } from '../../src/requests/worker.js';
import { bucketContents, depsFor, invocation, runToEnd, startHarness, storedRequest, type Harness } from '../requests/steps/harness.js';

let h: Harness;
beforeAll(async () => void (h = await startHarness()));
afterAll(async () => h?.stop());

/** Over CHECKPOINT_INLINE_MAX_BYTES: the checkpoint goes to the bucket. */
const BIG = 40_000;
/** A short invocation: the bounded wait before the hand-back is over in about 2.5 s. */
const SHORT_INVOCATION_MS = 3000;

describe('attack: a checkpoint that lands after the hand-back (issue 18, properties 1 and 7)', () => {
  it('leaves in the bucket only what the completed request points at', async () => {
    const item = await storedRequest(h);
    let release = () => {};
    const held = new Promise<void>((resolve) => (release = resolve));
    let lateStep: Promise<unknown> | undefined;
    let runsOfSlow = 0;
    const deps = depsFor(h, (context) => {
      const slow = context.step('slow', async () => {
        runsOfSlow += 1;
        // Its first run ignores the signal until the test lets it go; a rerun returns at once.
        if (runsOfSlow === 1) await held;
        return 'x'.repeat(BIG);
      });
      lateStep ??= slow;
      return Promise.all([context.step('a', async () => 'a').then(() => context.step('b', async () => 'b')), slow]);
    });

    expect(await processRequest(deps, item.request_id, invocation(SHORT_INVOCATION_MS), 0)).toBe('continued');
    release();
    await lateStep!.catch(() => undefined);
    const results = await runToEnd(deps, item.request_id, 600_000);

    const stored = await h.store.get(item.request_id);
    expect({ results, status: stored?.status }).toEqual({ results: ['completed'], status: 'complete' });
    const pointedAt = [
      ...(stored?.artifacts ?? []).map((file) => file.key),
      ...Object.values(stored?.steps ?? {}).flatMap((checkpoint) => (checkpoint.object !== undefined ? [checkpoint.object.key] : [])),
      ...(stored?.result_object !== undefined ? [stored.result_object.key] : []),
    ].sort();
    expect((await bucketContents(h, item.request_id)).keys.sort()).toEqual(pointedAt);
  });
});
