// Attack on issue 18, property 7 (an ended attempt's objects removed, checkpoints included): a
// cancel that lands while the request is handed back, between two invocations.
//
// FAULT: objects are removed only by a worker that holds the request (discard/removeAll in
// worker.ts). A request handed back for a continuation is `pending` with its files and bucket
// checkpoints recorded; cancelled then, the continuation's worker cannot claim it and stops
// ('skipped') without touching the bucket, and the cancel itself removes nothing: the checkpoint and
// the file stay, pointed at by an item that will never be read for them, until the lifecycle rule.
// Real table (dynalite) and bucket (s3rver); bytes counted by listing the bucket.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../src/contract.js';
import { bucketContents, depsFor, runToEnd, startHarness, storedRequest, type Harness } from '../requests/steps-attacked/harness.js';

let h: Harness;
beforeAll(async () => void (h = await startHarness()));
afterAll(async () => h?.stop());

/** Over CHECKPOINT_INLINE_MAX_BYTES: the checkpoint goes to the bucket. */
const BIG = 40_000;

describe('attack: a cancel between two invocations of a request (issue 18, property 7)', () => {
  it('leaves nothing of the request in the bucket', async () => {
    const item = await storedRequest(h);
    const deps = depsFor(h, async ({ step, files, continueLater }) => {
      await step('big', async () => {
        await files.put('draft.txt', 'draft');
        return 'x'.repeat(BIG);
      });
      continueLater();
      return step('second', async () => 'never reached');
    });

    const first = await runToEnd(deps, item.request_id, 600_000, () => {}, 1);
    expect(first).toEqual(['continued']);
    expect((await bucketContents(h, item.request_id)).keys).toHaveLength(2);

    await h.store.cancel(item.request_id, Date.now(), 'cancelled', ErrorCode.Cancelled);
    const continuation = await runToEnd(deps, item.request_id, 600_000);

    expect({ continuation, code: (await h.store.get(item.request_id))?.error_code }).toEqual({ continuation: ['skipped'], code: 'cancelled' });
    expect(await bucketContents(h, item.request_id)).toEqual({ keys: [], bytes: 0 });
  });
});
