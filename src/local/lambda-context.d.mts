import type { Context } from 'aws-lambda';

/** The invocation's identity and memory, as Lambda hands them to the function. */
export interface ContextMeta {
  awsRequestId: string;
  functionName: string;
  invokedFunctionArn: string;
  memoryLimitInMB: number;
}

export interface ContextTiming {
  /** When the invocation times out, in ms since the epoch on `now`'s clock. */
  deadline: number;
  logStreamName: string;
  /** The clock; `Date.now` when absent. */
  now?: () => number;
}

/** A Lambda `Context` for one invocation; `getRemainingTimeInMillis()` counts down to `deadline`. */
export function createLambdaContext(meta: ContextMeta, timing: ContextTiming): Context;
