import type { ErrorCode } from './contract.js';

/**
 * Metrics as CloudWatch Embedded Metric Format: one JSON line each in the function's log, which
 * CloudWatch turns into metrics with no API call and no extra permission.
 */
export const METRICS_NAMESPACE = 'AsyncRouter';

export const Metric = {
  /** Requests stored and queued (`202`, replays excluded). */
  Accepted: 'Accepted',
  Completed: 'Completed',
  /** Requests ended as `error` by the service (not by their caller); also per `ErrorCode`. */
  Failed: 'Failed',
  /** Requests their caller cancelled: an `error` ending, but nothing went wrong, so not a failure to alarm on. */
  Cancelled: 'Cancelled',
  /** From acceptance to the claim of a request's first attempt. */
  QueueWaitMs: 'QueueWaitMs',
  /** One attempt's run, from its claim to its written outcome. */
  RunTimeMs: 'RunTimeMs',
  /** Webhooks given up after CALLBACK_MAX_ATTEMPTS tries. */
  WebhookFailures: 'WebhookFailures',
  /** Requests the sweeper dispatched again (an event lost, or its retries used up unclaimed). */
  Redispatched: 'Redispatched',
  /** Requests handed back to go on in a fresh invocation (a multi-step task's continuation). */
  Continued: 'Continued',
} as const;
export type Metric = (typeof Metric)[keyof typeof Metric];

const UNITS: Record<Metric, 'Count' | 'Milliseconds'> = {
  Accepted: 'Count',
  Completed: 'Count',
  Failed: 'Count',
  Cancelled: 'Count',
  QueueWaitMs: 'Milliseconds',
  RunTimeMs: 'Milliseconds',
  WebhookFailures: 'Count',
  Redispatched: 'Count',
  Continued: 'Count',
};

export interface Metrics {
  /** Records `value` of `metric` for the function, and, with an error code, for that code too. */
  put(metric: Metric, value: number, errorCode?: ErrorCode): void;
}

export function createEmfMetrics(functionName: string, write: (line: string) => void = (line) => process.stdout.write(`${line}\n`)): Metrics {
  return {
    put(metric, value, errorCode) {
      const dimensions = errorCode === undefined ? [['FunctionName']] : [['FunctionName'], ['FunctionName', 'ErrorCode']];
      write(
        JSON.stringify({
          _aws: {
            Timestamp: Date.now(),
            CloudWatchMetrics: [{ Namespace: METRICS_NAMESPACE, Dimensions: dimensions, Metrics: [{ Name: metric, Unit: UNITS[metric] }] }],
          },
          FunctionName: functionName,
          ...(errorCode !== undefined ? { ErrorCode: errorCode } : {}),
          [metric]: value,
        }),
      );
    },
  };
}

export const silentMetrics: Metrics = { put() {} };
