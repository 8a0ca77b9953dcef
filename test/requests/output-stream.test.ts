import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createDocumentClient, sdkConfig } from '../../src/aws-clients.js';
import { LOCAL_CREDENTIALS, LOCAL_REGION, type Stack, type StackOptions } from '../../src/local/stack.js';
import type { StoredRequest } from '../../src/requests/model.js';
import { RequestStore } from '../../src/requests/store.js';
import { DRAFT_PARAGRAPHS, draftTokens } from '../../src/tasks/draft.js';
import { pollUntilTerminal, submitAccepted } from '../support/http.js';
import { readItem } from '../support/items.js';
import { createLogCollector, type LogCollector } from '../support/logs.js';
import { ensureBuilt, startTestStack } from '../support/stack.js';
import { waitFor } from '../support/wait-for.js';

const PROMPT = 'Tokens arrive one by one, and each one is written down before the reader sees it.';
const EXPECTED = draftTokens(PROMPT).join('');
/** A lease long enough for a loaded machine's cold sandbox to renew it in time. */
const LEASE_SECONDS = 3;
/** Lambda's retries, shortened but kept past the lease so a retry can take over. */
const RETRY_AFTER_LEASE = { retries: 2, delaysMs: [LEASE_SECONDS * 1000 + 500, LEASE_SECONDS * 1000 + 500] };

let stack: Stack | undefined;
let logs: LogCollector;
afterEach(async () => {
  await stack?.stop();
  stack = undefined;
});

async function start(options: Partial<StackOptions> = {}): Promise<Stack> {
  logs = createLogCollector();
  stack = await startTestStack({ runtime: 'sandbox', log: logs.log, ...options, env: { DEMO_TASK_MS: '1500', ...options.env } });
  return stack;
}

/** The item's output, in order, each chunk's text read from the item or the bucket. */
async function outputOf(stack: Stack, item: StoredRequest): Promise<{ seqs: number[]; text: string; inBucket: number }> {
  const s3 = new S3Client({ endpoint: stack.s3.endpoint, forcePathStyle: true, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS });
  try {
    let text = '';
    let inBucket = 0;
    for (const chunk of item.output ?? []) {
      if (chunk.text !== undefined) text += chunk.text;
      else {
        inBucket += 1;
        text += await (await s3.send(new GetObjectCommand({ Bucket: stack.config.resultsBucket!, Key: chunk.object!.key }))).Body!.transformToString();
      }
    }
    return { seqs: (item.output ?? []).map((chunk) => chunk.seq), text, inBucket };
  } finally {
    s3.destroy();
  }
}

const oneToN = (n: number) => Array.from({ length: n }, (_, index) => index + 1);

describe('ctx.emit: live output, durable and numbered', () => {
  beforeAll(() => ensureBuilt());

  it('keeps the draft task\'s output in order, equal to its result byte for byte, coalesced into few writes', async () => {
    const stack = await start();
    const submitted = Date.now();
    const id = await submitAccepted(stack.url, { prompt: PROMPT, task: 'draft' });

    const { final } = await pollUntilTerminal(stack.url, id);
    const elapsedMs = Date.now() - submitted;

    expect(final.body.status, JSON.stringify(final.body)).toBe('complete');
    expect(final.body.result).toEqual({ text: EXPECTED });
    const item = (await readItem(stack, id))!;
    const output = await outputOf(stack, item);
    expect(output.text).toBe(EXPECTED);
    expect(output.seqs).toEqual(oneToN(output.seqs.length));
    expect(item.output_seq).toBe(output.seqs.length);
    // 300 emits, yet at most one write per 250 ms, plus the flush before each paragraph's checkpoint.
    expect(output.seqs.length).toBeLessThanOrEqual(Math.ceil(elapsedMs / 250) + DRAFT_PARAGRAPHS);
    expect(output.seqs.length).toBeLessThan(300 / 4);
  });

  it('keeps output in the bucket once the item has no room, and counts it against MAX_OUTPUT_BYTES', async () => {
    const spilled = await start({ env: { CHECKPOINT_INLINE_MAX_BYTES: '0' } });
    const id = await submitAccepted(spilled.url, { prompt: PROMPT, task: 'draft' });
    const { final } = await pollUntilTerminal(spilled.url, id);
    expect(final.body.status, JSON.stringify(final.body)).toBe('complete');
    const output = await outputOf(spilled, (await readItem(spilled, id))!);
    expect(output.text).toBe(EXPECTED);
    expect(output.inBucket).toBe(output.seqs.length);
    await spilled.stop();

    // The draft writes about 1.3 KB of output (and as much again as its result): 1 KB is too little.
    const bounded = await start({ env: { MAX_OUTPUT_BYTES: '1024' } });
    const tooMuch = await submitAccepted(bounded.url, { prompt: PROMPT, task: 'draft' });
    const ended = await pollUntilTerminal(bounded.url, tooMuch);
    expect(ended.final.body).toMatchObject({ status: 'error', error_code: 'result_too_large' });
    const kept = await outputOf(bounded, (await readItem(bounded, tooMuch))!);
    expect(Buffer.byteLength(kept.text)).toBeLessThanOrEqual(1024);
  });

  it('goes on from the last seq after a worker is killed mid-paragraph: no gap, no duplicate, the checkpointed paragraph not emitted again', async () => {
    const stack = await start({ asyncRetry: RETRY_AFTER_LEASE, env: { DEMO_TASK_MS: '9000', WORKER_LEASE_SECONDS: String(LEASE_SECONDS) } });
    const id = await submitAccepted(stack.url, { prompt: PROMPT, task: 'draft' });
    // Killed once paragraph 2 has put some of its output in the table, before its checkpoint.
    await waitFor(async () => ((await readItem(stack, id))?.output ?? []).some((chunk) => chunk.step === 'paragraph-2') || undefined);

    expect(stack.sandbox!.killAll()).toBe(1);
    const { final } = await pollUntilTerminal(stack.url, id);

    expect(final.body.status, logs.lines.join('\n')).toBe('complete');
    expect(final.body.result).toEqual({ text: EXPECTED });
    const item = (await readItem(stack, id))!;
    expect(item.attempt).toBe(2);
    const output = await outputOf(stack, item);
    expect(output.text).toBe(EXPECTED);
    expect(output.seqs).toEqual(oneToN(output.seqs.length));
    expect(logs.messages('step replayed').map((line) => line.step)).toEqual(['paragraph-1']);
  });

  it('refuses an append from a worker that lost its lease: the fence holds for output too', async () => {
    const stack = await start({ env: { DEMO_TASK_MS: '100' } });
    const id = await submitAccepted(stack.url, { prompt: PROMPT, task: 'draft' });
    await pollUntilTerminal(stack.url, id);
    const before = (await readItem(stack, id))!;
    const store = new RequestStore(createDocumentClient(sdkConfig({ endpoint: stack.dynamo.endpoint, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS })), stack.config.tableName);

    const written = await store.appendOutput(id, before.attempt, before.output_seq!, [{ seq: before.output_seq! + 1, length: 4, text: 'late' }]);

    expect(written).toBe(false);
    expect((await readItem(stack, id))!.output).toEqual(before.output);
  });
});
