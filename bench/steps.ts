import { GetCommand } from '@aws-sdk/lib-dynamodb';
import type { Env } from '../src/config.js';
import { startStack } from '../src/local/stack.js';
import { itemSize } from '../src/requests/item-size.js';
import type { StoredRequest } from '../src/requests/model.js';
import { startBenchStack } from './stack.js';
import { submit, until } from './requests.js';

const PROMPT =
  'Durable steps keep what a crash would lose. Each step is checkpointed before the next begins. ' +
  'A continuation picks up where the last invocation stopped.';
const STEPS = 5;

export interface StepWrites {
  requests: number;
  /** Per request, medians: DynamoDB writes by kind and Lambda Invokes. */
  checkpoints: number;
  handBacks: number;
  claims: number;
  otherWrites: number;
  invokes: number;
  /** The item's size once complete, as DynamoDB counts it: each checkpoint write is billed on it. */
  itemBytes: number;
}

/**
 * The pipeline task's AWS calls, counted on the wire: with `timeoutMs` long enough for all five
 * steps in one invocation (the checkpoints alone), or short enough for one step an invocation
 * (the continuations too).
 */
export async function measureStepWrites(env: Env, timeoutMs: number, taskMs: number, requests: number): Promise<StepWrites> {
  const stack = await startBenchStack({ env: { ...env, DEMO_TASK_MS: String(taskMs) }, count: true, timeoutMs });
  const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
  try {
    const lives: Array<Omit<StepWrites, 'requests'>> = [];
    for (let run = 0; run < requests; run += 1) {
      const id = await submit(stack.url, { prompt: PROMPT, task: 'pipeline' });
      const item = await until(async () => {
        const read = (await stack.doc.send(new GetCommand({ TableName: stack.config.tableName, Key: { request_id: id }, ConsistentRead: true }))).Item as StoredRequest | undefined;
        return read?.status === 'complete' ? read : read?.status === 'error' ? Promise.reject(new Error(`${id} ended ${read.error_code}`)) : undefined;
      }, 120_000);
      await stack.lambda.idle();
      const calls = stack.dynamoCalls.filter((call) => call.requestId === id);
      const count = (operation: string) => calls.filter((call) => call.operation === operation).length;
      const writes = calls.filter((call) => /^(PutItem|DeleteItem|UpdateItem:)/.test(call.operation) && !/progress|heartbeat/.test(call.operation)).length;
      const checkpoints = count('UpdateItem:checkpoint');
      const handBacks = count('UpdateItem:hand-back');
      const claims = count('UpdateItem:claim');
      lives.push({
        checkpoints,
        handBacks,
        claims,
        otherWrites: writes - checkpoints - handBacks - claims,
        invokes: stack.lambdaCalls.filter((call) => call.requestId === id).length,
        itemBytes: itemSize(item as unknown as Record<string, unknown>),
      });
    }
    const pick = (key: keyof Omit<StepWrites, 'requests'>) => median(lives.map((life) => life[key]));
    return {
      requests,
      checkpoints: pick('checkpoints'),
      handBacks: pick('handBacks'),
      claims: pick('claims'),
      otherWrites: pick('otherWrites'),
      invokes: pick('invokes'),
      itemBytes: pick('itemBytes'),
    };
  } finally {
    await stack.stop();
  }
}

export interface ContinuationGaps {
  requests: number;
  /** From a worker's hand-back to the next worker's claim, split by whether that invocation started cold. */
  coldMs: number[];
  warmMs: number[];
  /** Init durations of every cold start in the runs (REPORT lines), what a cold continuation adds. */
  initMs: number[];
}

/**
 * The built bundle in sandboxes (a process an execution environment, reused while warm), one
 * step an invocation: how long each continuation leaves the request waiting, hand-back to claim.
 */
export async function measureContinuationGaps(env: Env, bundle: string, requests: number): Promise<ContinuationGaps> {
  const lines: string[] = [];
  // 2 s steps under a 3 s timeout: one step an invocation.
  const stack = await startStack({
    env: { ...env, DEMO_TASK_MS: '10000' },
    runtime: 'sandbox',
    sandboxModule: bundle,
    lambdaTimeoutMs: 3000,
    log: (line) => lines.push(line),
  });
  const result: ContinuationGaps = { requests, coldMs: [], warmMs: [], initMs: [] };
  try {
    for (let run = 0; run < requests; run += 1) {
      lines.length = 0;
      const id = await submit(stack.url, { prompt: PROMPT, task: 'pipeline' });
      await until(async () => (lines.some((line) => line.includes('"finished"') && line.includes(id)) ? true : undefined), 60_000);
      await stack.lambda.idle();
      for (const line of lines) {
        const init = /^REPORT .*Init Duration: ([\d.]+) ms/.exec(line);
        if (init !== null) result.initMs.push(Number(init[1]));
      }
      const records = lines.filter((line) => line.startsWith('{')).map((line) => JSON.parse(line) as Record<string, unknown>).filter((line) => line.request_id === id);
      const at = (line: Record<string, unknown>) => Date.parse(String(line.time));
      const handBacks = records.filter((line) => line.message === 'continues in a fresh invocation');
      const claims = records.filter((line) => line.message === 'claimed');
      if (handBacks.length !== STEPS - 1 || claims.length !== STEPS) throw new Error(`expected ${STEPS - 1} continuations, saw ${handBacks.length} and ${claims.length} claims`);
      for (const [index, handBack] of handBacks.entries()) {
        const claim = claims[index + 1]!;
        const report = lines.find((line) => line.startsWith(`REPORT RequestId: ${String(claim.aws_request_id)}`)) ?? '';
        if (/Init Duration/.test(report)) {
          result.coldMs.push(at(claim) - at(handBack));
        } else {
          result.warmMs.push(at(claim) - at(handBack));
        }
      }
    }
    return result;
  } finally {
    await stack.stop();
  }
}
