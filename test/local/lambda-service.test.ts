import { InvokeCommand, type LambdaClient, TooManyRequestsException } from '@aws-sdk/client-lambda';
import type { Context } from 'aws-lambda';
import { afterEach, describe, expect, it } from 'vitest';
import type { LambdaService, LambdaServiceOptions } from '../../src/local/lambda-service.js';
import { createLogCollector } from '../support/logs.js';
import { waitFor } from '../support/wait-for.js';
import { TEST_FUNCTION, startTestLambdaService } from './helpers.js';

const REPORT = /^REPORT RequestId: [0-9a-f-]{36}\tDuration: \d+\.\d{2} ms\tBilled Duration: \d+ ms\tMemory Size: 128 MB\tMax Memory Used: \d+ MB/;

type Behaviour = (event: { id: number; holdMs?: number; fail?: boolean }, context: Context) => Promise<unknown>;

/** Records every run: when it started, and the most running at once. */
function createRecorder() {
  const runs: Array<{ id: number; at: number }> = [];
  let running = 0;
  let maxRunning = 0;
  const behaviour: Behaviour = async (event) => {
    runs.push({ id: event.id, at: Date.now() });
    running += 1;
    maxRunning = Math.max(maxRunning, running);
    try {
      await new Promise((resolve) => setTimeout(resolve, event.holdMs ?? 0));
      if (event.fail) throw new Error('asked to fail');
      return { ok: event.id };
    } finally {
      running -= 1;
    }
  };
  return { runs, behaviour, maxRunning: () => maxRunning, runsOf: (id: number) => runs.filter((run) => run.id === id) };
}

describe('local Lambda service', () => {
  let service: LambdaService;
  let client: LambdaClient;
  const logs = createLogCollector();

  async function start(behaviour: Behaviour, options: Partial<LambdaServiceOptions> = {}) {
    ({ service, client } = await startTestLambdaService(behaviour, { memoryMb: 128, log: logs.log, ...options }));
  }
  const invoke = (event: unknown, type: 'Event' | 'RequestResponse') =>
    client.send(new InvokeCommand({ FunctionName: TEST_FUNCTION, InvocationType: type, Payload: new TextEncoder().encode(JSON.stringify(event)) }));

  afterEach(async () => {
    client?.destroy();
    await service?.stop();
    logs.lines.length = 0;
  });

  it('queues Events beyond the concurrency limit and runs each once a slot frees', async () => {
    const recorder = createRecorder();
    await start(recorder.behaviour, { concurrency: 2 });

    const answers = await Promise.all([1, 2, 3, 4, 5].map((id) => invoke({ id, holdMs: 200 }, 'Event')));
    expect(answers.map((answer) => answer.StatusCode)).toEqual([202, 202, 202, 202, 202]);
    // Each accepted Event reaches the queue on the next tick, as Lambda's pollers pick them up.
    await waitFor(() => (service.load().queued === 3 ? true : undefined));
    expect(service.load()).toEqual({ running: 2, queued: 3 });
    await service.idle();

    expect(recorder.runs.map((run) => run.id).sort()).toEqual([1, 2, 3, 4, 5]);
    expect(recorder.maxRunning()).toBe(2);
  });

  it('answers a synchronous call beyond the limit with 429 TooManyRequestsException', async () => {
    const recorder = createRecorder();
    await start(recorder.behaviour, { concurrency: 1 });
    await invoke({ id: 1, holdMs: 300 }, 'Event');
    await waitFor(() => (service.load().running === 1 ? true : undefined));

    const throttled = await invoke({ id: 2 }, 'RequestResponse').catch((error: unknown) => error);
    const direct = await service.invoke({ id: 3 });
    await service.idle();
    const after = await invoke({ id: 4 }, 'RequestResponse');

    expect(throttled).toBeInstanceOf(TooManyRequestsException);
    expect((throttled as TooManyRequestsException).$metadata.httpStatusCode).toBe(429);
    expect((throttled as TooManyRequestsException).Reason).toBe('ReservedFunctionConcurrentInvocationLimitExceeded');
    expect(direct.statusCode).toBe(429);
    expect(after.StatusCode).toBe(200);
    expect(recorder.runs.map((run) => run.id)).toEqual([1, 4]);
  });

  it('logs START, END and a REPORT line per invocation, with the status of a failed one', async () => {
    const recorder = createRecorder();
    await start(recorder.behaviour, { asyncRetry: { retries: 0, delaysMs: [] } });

    await invoke({ id: 1 }, 'RequestResponse');
    const failed = await invoke({ id: 2, fail: true }, 'RequestResponse');

    expect(failed.FunctionError).toBe('Unhandled');
    const reports = logs.lines.filter((line) => line.startsWith('REPORT'));
    expect(reports).toHaveLength(2);
    for (const report of reports) expect(report).toMatch(REPORT);
    expect(reports[1]).toMatch(/\tStatus: error\tError Type: Error$/);
    expect(logs.lines.filter((line) => line.startsWith('START'))).toHaveLength(2);
    expect(logs.lines.filter((line) => line.startsWith('END'))).toHaveLength(2);
  });

  it('retries a failed Event with the configured delays, then gives up', async () => {
    const recorder = createRecorder();
    await start(recorder.behaviour, { asyncRetry: { retries: 2, delaysMs: [150, 300] } });

    await invoke({ id: 1, fail: true }, 'Event');
    await service.idle();

    const tries = recorder.runsOf(1);
    expect(tries).toHaveLength(3);
    expect(tries[1]!.at - tries[0]!.at).toBeGreaterThanOrEqual(140);
    expect(tries[2]!.at - tries[1]!.at).toBeGreaterThanOrEqual(290);
  });

  describe('fault switches', () => {
    it('rejectInvokes refuses that many calls with 503 ServiceException, then recovers', async () => {
      const recorder = createRecorder();
      await start(recorder.behaviour);
      service.faults.rejectInvokes = 2;

      const first = await invoke({ id: 1 }, 'Event').catch((error: unknown) => error);
      const second = await invoke({ id: 2 }, 'RequestResponse').catch((error: unknown) => error);
      const third = await invoke({ id: 3 }, 'Event');
      await service.idle();

      expect((first as Error).name).toBe('ServiceException');
      expect((second as { $metadata: { httpStatusCode: number } }).$metadata.httpStatusCode).toBe(503);
      expect(third.StatusCode).toBe(202);
      expect(recorder.runs.map((run) => run.id)).toEqual([3]);
    });

    it('deliveriesPerEvent delivers each Event that many times', async () => {
      const recorder = createRecorder();
      await start(recorder.behaviour);
      service.faults.deliveriesPerEvent = 2;
      await invoke({ id: 1 }, 'Event');
      await service.idle();
      expect(recorder.runsOf(1)).toHaveLength(2);
    });

    it('dropEvents accepts Events with 202 and never runs them', async () => {
      const recorder = createRecorder();
      await start(recorder.behaviour);
      service.faults.dropEvents = true;
      const answer = await invoke({ id: 1 }, 'Event');
      await service.idle();
      expect(answer.StatusCode).toBe(202);
      expect(recorder.runs).toHaveLength(0);
    });

    it('eventDelayMs runs Events that much later', async () => {
      const recorder = createRecorder();
      await start(recorder.behaviour);
      service.faults.eventDelayMs = 300;
      const sentAt = Date.now();
      await invoke({ id: 1 }, 'Event');
      await service.idle();
      expect(recorder.runs[0]!.at - sentAt).toBeGreaterThanOrEqual(290);
    });
  });
});
