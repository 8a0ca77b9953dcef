// Attack on issue 18, property 7 (an ended attempt's objects removed, checkpoints included): a
// request that ends (cancelled, or past its deadline) while handed back, between two invocations.
//
// FAULT: objects are removed only by a worker that holds the request (discard/removeAll in
// worker.ts). A request handed back for a continuation is `pending` with its files and bucket
// checkpoints recorded; cancelled then, the continuation's worker cannot claim it and stops
// ('skipped') without touching the bucket, and the cancel itself removes nothing: the checkpoint and
// the file stay, pointed at by an item that will never be read for them, until the lifecycle rule.
// The same for a request whose deadline passes while handed back: the sweeper ends it
// `deadline_exceeded` and removes nothing either.
// Real table (dynalite) and bucket (s3rver); bytes counted by listing the bucket.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ANONYMOUS } from '../../src/auth/principal.js';
import { ErrorCode } from '../../src/contract.js';
import type { ApiDeps } from '../../src/handler-deps.js';
import { cancelRoute } from '../../src/http/cancel-route.js';
import { silentLogger } from '../../src/log.js';
import { silentMetrics } from '../../src/metrics.js';
import { sweep } from '../../src/requests/sweeper.js';
import { processRequest } from '../../src/requests/worker.js';
import type { Task } from '../../src/tasks/task.js';
import { bucketContents, depsFor, invocation, recordingDispatcher, runToEnd, startHarness, storedRequest, type Harness } from '../requests/steps/harness.js';

let h: Harness;
beforeAll(async () => void (h = await startHarness()));
afterAll(async () => h?.stop());

/** Over CHECKPOINT_INLINE_MAX_BYTES: the checkpoint goes to the bucket. */
const BIG = 40_000;

/** A file and a bucket checkpoint, then a hand-back before the second step. */
const writeThenContinue: Task['run'] = async ({ step, files, continueLater }) => {
  await step('big', async () => {
    await files.put('draft.txt', 'draft');
    return 'x'.repeat(BIG);
  });
  continueLater();
  return step('second', async () => 'never reached');
};

describe('attack: a request that ends between two of its invocations (issue 18, property 7)', () => {
  it('cancelled: leaves nothing of the request in the bucket', async () => {
    const item = await storedRequest(h);
    const deps = depsFor(h, writeThenContinue);

    const first = await runToEnd(deps, item.request_id, 600_000, () => {}, 1);
    expect(first).toEqual(['continued']);
    expect((await bucketContents(h, item.request_id)).keys).toHaveLength(2);

    await h.store.cancel(item.request_id, Date.now(), 'cancelled', ErrorCode.Cancelled);
    const continuation = await runToEnd(deps, item.request_id, 600_000);

    expect({ continuation, code: (await h.store.get(item.request_id))?.error_code }).toEqual({ continuation: ['skipped'], code: 'cancelled' });
    expect(await bucketContents(h, item.request_id)).toEqual({ keys: [], bytes: 0 });
  });

  it('cancelled through DELETE, its continuation event lost: the cancel itself leaves nothing in the bucket', async () => {
    const item = await storedRequest(h);
    const deps = depsFor(h, writeThenContinue, { dispatcher: recordingDispatcher().dispatcher });
    expect(await processRequest(deps, item.request_id, invocation(600_000))).toBe('continued');
    expect((await bucketContents(h, item.request_id)).keys).toHaveLength(2);

    const response = await cancelRoute(deps as unknown as ApiDeps, { request_id: item.request_id }, invocation(), ANONYMOUS);

    expect({ status: response.statusCode, view: JSON.parse(response.body) }).toMatchObject({ status: 202, view: { status: 'error', error_code: 'cancelled' } });
    expect(await bucketContents(h, item.request_id)).toEqual({ keys: [], bytes: 0 });
  });

  it('past its deadline, ended by the sweeper: leaves nothing of the request in the bucket', async () => {
    const item = await storedRequest(h, { deadline_at: Date.now() + 60_000 });
    const { dispatcher } = recordingDispatcher();
    const deps = depsFor(h, writeThenContinue, { dispatcher });
    expect(await processRequest(deps, item.request_id, invocation(600_000))).toBe('continued');
    expect((await bucketContents(h, item.request_id)).keys).toHaveLength(2);

    // The continuation event is lost (the recording dispatcher sends nothing); the sweeper runs after the deadline.
    const afterDeadline = () => Date.now() + 120_000;
    await sweep({ config: { ...deps.config, sweepBatch: 50 } as never, store: h.store, objects: h.objects, dispatcher, now: afterDeadline, log: silentLogger, metrics: silentMetrics }, invocation(60_000));

    expect((await h.store.get(item.request_id))?.error_code).toBe('deadline_exceeded');
    expect(await bucketContents(h, item.request_id)).toEqual({ keys: [], bytes: 0 });
  });
});
