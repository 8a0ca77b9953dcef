import { afterEach, describe, expect, it } from 'vitest';
import { delay } from '../../src/delay.js';
import type { Stack } from '../../src/local/stack.js';
import { METRICS_NAMESPACE, Metric, createEmfMetrics } from '../../src/metrics.js';
import { createTaskRegistry } from '../../src/tasks/registry.js';
import { TaskError } from '../../src/tasks/task.js';
import { call, pollUntilTerminal, submitAccepted } from '../support/http.js';
import { startTestStack } from '../support/stack.js';
import { waitFor } from '../support/wait-for.js';

let stack: Stack | undefined;
afterEach(async () => {
  await stack?.stop();
  stack = undefined;
});

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Record_ = Record<string, any>;

/** What CloudWatch requires of an Embedded Metric Format line, checked rather than assumed. */
function checkEmf(record: Record_): void {
  const directive = record._aws;
  expect(typeof directive.Timestamp).toBe('number');
  for (const { Namespace, Dimensions, Metrics } of directive.CloudWatchMetrics) {
    expect(Namespace).toBe(METRICS_NAMESPACE);
    for (const set of Dimensions) for (const name of set) expect(typeof record[name], `dimension ${name}`).toBe('string');
    for (const { Name, Unit } of Metrics) {
      expect(typeof record[Name], `metric ${Name}`).toBe('number');
      expect(['Count', 'Milliseconds']).toContain(Unit);
    }
  }
}

describe('metrics in Embedded Metric Format', () => {
  it('counts accepted, completed, failed (by error code) and cancelled requests, with queue wait and run time', async () => {
    const lines: string[] = [];
    const tasks = createTaskRegistry([
      {
        name: 'assess',
        description: 'fails on request',
        async run({ input, signal }) {
          if (input.prompt === 'fail') throw new TaskError('asked to fail');
          if (input.prompt === 'slow') await delay(10_000, signal);
          return { ok: true };
        },
      },
    ]);
    stack = await startTestStack({ handlerOverrides: { tasks, metrics: createEmfMetrics('my-function', (line) => lines.push(line)) } });

    const done = await submitAccepted(stack.url, { prompt: 'fine' });
    const failed = await submitAccepted(stack.url, { prompt: 'fail' });
    const cancelled = await submitAccepted(stack.url, { prompt: 'slow' });
    await pollUntilTerminal(stack.url, done);
    await pollUntilTerminal(stack.url, failed);
    expect((await call(stack.url, 'DELETE', `/v1/status/${cancelled}`)).status).toBe(202);
    await waitFor(() => (lines.length >= 10 ? true : undefined));
    await stack.lambda.idle();

    const records = lines.map((line) => JSON.parse(line) as Record_);
    records.forEach(checkEmf);
    expect(records.every((record) => record.FunctionName === 'my-function')).toBe(true);
    const values = (metric: Metric) => records.filter((record) => record[metric] !== undefined);
    expect(values(Metric.Accepted)).toHaveLength(3);
    expect(values(Metric.Completed)).toHaveLength(1);
    expect(values(Metric.Failed).map((record) => record.ErrorCode)).toEqual(['task_failed']);
    expect(values(Metric.Cancelled)).toHaveLength(1);
    expect(values(Metric.Failed)[0]!._aws.CloudWatchMetrics[0].Dimensions).toEqual([['FunctionName'], ['FunctionName', 'ErrorCode']]);
    expect(values(Metric.QueueWaitMs)).toHaveLength(3);
    expect(values(Metric.RunTimeMs)).toHaveLength(2); // the cancelled run wrote no outcome
    for (const record of [...values(Metric.QueueWaitMs), ...values(Metric.RunTimeMs)]) expect(record[record._aws.CloudWatchMetrics[0].Metrics[0].Name]).toBeGreaterThanOrEqual(0);
  });
});
