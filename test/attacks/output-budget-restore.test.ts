// Attack on issue 18, property 2 (MAX_OUTPUT_BYTES reserved before each write): a replacement that
// fails gives its old object's room back unconditionally, after a write side by side took it.
//
// FAULT: files.put of a name already written releases the old object's bytes before the new body
// goes out (output.ts), and when that write fails for any reason but the limit it `restore`s them,
// "whether or not it fits" (byte-budget.ts). A task that replaces `a.bin` with a stream it then
// fails, while writing `b.bin` into the room so freed, keeps both: the old `a.bin` stays in the
// bucket (nothing was PUT) and is listed again, `b.bin` is listed too, and the request ends
// `complete` with 1.8 MB under a 1 MiB MAX_OUTPUT_BYTES. Bytes are counted by listing the real bucket.
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bucketContents, depsFor, runToEnd, startHarness, storedRequest, type Harness } from '../requests/steps/harness.js';

let h: Harness;
beforeAll(async () => void (h = await startHarness()));
afterAll(async () => h?.stop());

const KIB = 1024;
const MAX_OUTPUT_BYTES = 1024 * KIB;

describe('attack: a failed replacement hands back room a side-by-side write took (issue 18, property 2)', () => {
  it('never ends complete with more than MAX_OUTPUT_BYTES in the bucket', async () => {
    const item = await storedRequest(h);
    const deps = depsFor(h, async ({ files }) => {
      await files.put('a.bin', Buffer.alloc(900 * KIB, 1));
      const source = new PassThrough();
      // Its 900 KiB are released here, before the new body's first byte.
      const replacing = files.put('a.bin', source).catch((error: unknown) => `replacement failed: ${String(error)}`);
      await files.put('b.bin', Buffer.alloc(900 * KIB, 2));
      source.destroy(new Error('the source of the new a.bin failed'));
      await replacing;
      return 'done';
    }, { config: { maxOutputBytes: MAX_OUTPUT_BYTES } });

    const results = await runToEnd(deps, item.request_id, 600_000);

    const stored = await h.store.get(item.request_id);
    const bucket = await bucketContents(h, item.request_id);
    expect({ results, status: stored?.status, bucket }, `listed: ${JSON.stringify(stored?.artifacts?.map((file) => [file.name, file.size]))}`).toMatchObject({ status: 'error' });
    expect(bucket.bytes).toBeLessThanOrEqual(MAX_OUTPUT_BYTES);
  });
});
