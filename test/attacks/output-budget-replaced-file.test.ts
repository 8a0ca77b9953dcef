// Attack on issue 18, property 2 (MAX_OUTPUT_BYTES counted over invocations): a file written in one
// invocation and replaced in the next drops out of the count at the continuation after, while its
// object stays in the bucket.
//
// FAULT: each invocation writes under its own attempt number, so replacing a name an earlier
// invocation wrote leaves that object in the bucket; it keeps counting in the replacing invocation
// (output.ts: `freed` is 0 for another attempt's key), but the file list recorded at the hand-back
// names only the new object. The next invocation's budget starts from what the item records
// (recordedBytes): the old object is counted no more, and nothing ever removes it. Under a 1 MiB
// limit the request ends `complete` with 1.9 MB in the bucket. Real workers, table and bucket;
// bytes counted by listing the bucket.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bucketContents, depsFor, runToEnd, startHarness, storedRequest, type Harness } from '../requests/steps/harness.js';

let h: Harness;
beforeAll(async () => void (h = await startHarness()));
afterAll(async () => h?.stop());

const KIB = 1024;
const MAX_OUTPUT_BYTES = 1024 * KIB;

describe('attack: a file replaced in a later invocation (issue 18, property 2)', () => {
  it('never ends complete with more than MAX_OUTPUT_BYTES in the bucket', async () => {
    const item = await storedRequest(h);
    const deps = depsFor(h, async ({ step, files, continueLater }) => {
      await step('draft', async () => (await files.put('a.bin', Buffer.alloc(900 * KIB, 1))).size);
      continueLater();
      await step('final', async () => (await files.put('a.bin', Buffer.alloc(100 * KIB, 2))).size);
      continueLater();
      return step('extra', async () => (await files.put('b.bin', Buffer.alloc(900 * KIB, 3))).size);
    }, { config: { maxOutputBytes: MAX_OUTPUT_BYTES } });

    const results = await runToEnd(deps, item.request_id, 600_000);

    const stored = await h.store.get(item.request_id);
    const bucket = await bucketContents(h, item.request_id);
    expect({ results, status: stored?.status }, `bucket ${JSON.stringify(bucket)}`).toMatchObject({ status: 'error' });
    expect(bucket.bytes).toBeLessThanOrEqual(MAX_OUTPUT_BYTES);
  });
});
