// DELETE /v1/status/{id} on a request handed back between two invocations, whose continuation
// event is lost (left to the sweeper): no worker will ever hold it again, so the cancel itself
// removes what the request recorded. Real table (dynalite) and bucket (s3rver).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cancelRoute } from '../../src/http/cancel-route.js';
import type { ApiDeps } from '../../src/handler-deps.js';
import { processRequest } from '../../src/requests/worker.js';
import type { Task } from '../../src/tasks/task.js';
import { bucketContents, depsFor, invocation, recordingDispatcher, startHarness, storedRequest, type Harness } from '../requests/steps-attacked/harness.js';

let h: Harness;
beforeAll(async () => void (h = await startHarness()));
afterAll(async () => h?.stop());

/** Over CHECKPOINT_INLINE_MAX_BYTES: the checkpoint goes to the bucket. */
const BIG = 40_000;

const writeThenContinue: Task['run'] = async ({ step, files, continueLater }) => {
  await step('big', async () => {
    await files.put('draft.txt', 'draft');
    return 'x'.repeat(BIG);
  });
  continueLater();
  return step('second', async () => 'never reached');
};

describe('cancel route', () => {
  it('removes the files and bucket checkpoints of a request cancelled between two invocations', async () => {
    const item = await storedRequest(h);
    const deps = depsFor(h, writeThenContinue, { dispatcher: recordingDispatcher().dispatcher });
    expect(await processRequest(deps, item.request_id, invocation(600_000))).toBe('continued');
    expect((await bucketContents(h, item.request_id)).keys).toHaveLength(2);

    const response = await cancelRoute(deps as unknown as ApiDeps, {}, { request_id: item.request_id }, invocation());

    expect(response.statusCode).toBe(202);
    expect(JSON.parse(response.body)).toMatchObject({ status: 'error', error_code: 'cancelled' });
    expect(await bucketContents(h, item.request_id)).toEqual({ keys: [], bytes: 0 });
  });
});
