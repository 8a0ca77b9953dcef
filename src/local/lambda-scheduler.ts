import { randomUUID } from 'node:crypto';
import { reportLine } from './lambda-report.js';
import { Semaphore } from './semaphore.js';
import { FunctionError, type FunctionRuntime, type InvocationUsage, type ResponseSink } from './runtime.js';

/** Concurrent executions when none is set; small, since every local one may be a real process. */
export const DEFAULT_CONCURRENCY = 10;

export interface AsyncRetryPolicy {
  /** Retries after the first failed try; Lambda's default and maximum is 2. */
  retries: number;
  /** Wait before each retry; Lambda waits about one, then two minutes. */
  delaysMs: number[];
}

/**
 * Faults tests switch on to see how the caller copes; each is something a real Lambda can do.
 * They apply to `Invoke` calls that arrive after the switch is set, until it is set back.
 */
export interface LambdaFaults {
  /** Refuse this many upcoming `Invoke` calls (any type) with 503 ServiceException; counts down to 0. */
  rejectInvokes: number;
  /** Deliver each upcoming `Event` this many times (Lambda's delivery is at-least-once); 1 is normal. */
  deliveriesPerEvent: number;
  /** Accept upcoming `Event`s with 202 but never run them, as if the async queue lost them. */
  dropEvents: boolean;
  /** Accept this many upcoming `Event`s with 202 but never run them; counts down to 0. */
  dropNextEvents: number;
  /** Run upcoming `Event`s this much later (a backed-up async queue). */
  eventDelayMs: number;
}

export interface InvokeOutcome {
  statusCode: number;
  payload: unknown;
  functionError?: { errorType: string; errorMessage: string };
}

export interface LambdaSchedulerOptions {
  functionName: string;
  functionArn: string;
  memoryMb: number;
  timeoutMs: number;
  runtime: FunctionRuntime;
  asyncRetry: AsyncRetryPolicy;
  /**
   * Executions at once (reserved concurrency); {@link DEFAULT_CONCURRENCY} when absent. An `Event`
   * beyond it waits in the queue; a synchronous call beyond it gets 429 TooManyRequestsException.
   */
  concurrency?: number;
  /**
   * How many execution environments this machine runs at once, which protects it, since each may
   * be a real process. `events`: executions of `Event`s; one beyond it waits, so long background
   * work never starves API calls. `sync`: environments serving synchronous calls; a call beyond it
   * shares one of them (see {@link InvocationMeta.sharedEnvironments}), because in Lambda every
   * call has its own and must never queue behind held long-polls. Unlike Lambda's concurrency,
   * neither ever fails a call. Unlimited when absent.
   */
  lanes?: { events: number; sync: number };
  /** Where START, END, REPORT lines and function errors go. */
  log: (line: string) => void;
}

/** Decides when each invocation runs, and runs it: concurrency, the async queue, retries, lanes and faults. */
export interface LambdaScheduler {
  faults: LambdaFaults;
  /** Answers true, counting the switch down, when an arriving `Invoke` call is to be refused. */
  rejectsNextInvoke(): boolean;
  /** A synchronous invocation, under `awsRequestId` when given; {@link THROTTLED} when every slot is busy. */
  /** With `sink`, as InvokeWithResponseStream: a response-streaming function's bytes go there as written. */
  invoke(event: unknown, awsRequestId?: string, traceId?: string, sink?: ResponseSink): Promise<InvokeOutcome>;
  /** Queues an accepted `Event`, as the fault switches say, with Lambda's retries on function errors (under the same trace id). */
  enqueueEvent(event: unknown, traceId?: string): void;
  /** Resolves when no invocation is running, queued, or waiting for a retry. */
  idle(): Promise<void>;
  /** Executions running now and `Event`s waiting for a free slot. */
  load(): { running: number; queued: number };
  /** Starts nothing more: queued `Event`s and pending retries are dropped. The runtime is the caller's to stop. */
  stop(): void;
}

export const THROTTLE_REASON = 'ReservedFunctionConcurrentInvocationLimitExceeded';
/** What a synchronous invocation beyond the concurrency limit gets, as Lambda answers it. */
export const THROTTLED: InvokeOutcome = {
  statusCode: 429,
  payload: { Reason: THROTTLE_REASON, Type: 'User', message: 'Rate Exceeded.' },
  functionError: { errorType: 'TooManyRequestsException', errorMessage: 'Rate Exceeded.' },
};

export function createLambdaScheduler(options: LambdaSchedulerOptions): LambdaScheduler {
  const faults: LambdaFaults = { rejectInvokes: 0, deliveriesPerEvent: 1, dropEvents: false, dropNextEvents: 0, eventDelayMs: 0 };
  const pending = new Set<Promise<unknown>>();
  const timers = new Set<NodeJS.Timeout>();
  const concurrency = new Semaphore(options.concurrency ?? DEFAULT_CONCURRENCY);
  const eventLane = new Semaphore(options.lanes?.events ?? Number.POSITIVE_INFINITY);
  let stopping = false;

  const track = <T>(work: Promise<T>): Promise<T> => {
    pending.add(work);
    void work.finally(() => pending.delete(work)).catch(() => {});
    return work;
  };

  const later = (ms: number, run: () => Promise<unknown>) =>
    track(
      new Promise<void>((resolve) => {
        const timer = setTimeout(() => {
          timers.delete(timer);
          if (stopping) return resolve();
          void run().finally(resolve);
        }, ms);
        timers.add(timer);
      }),
    );

  /** One execution in a slot the caller holds; logs START, END and REPORT like Lambda. */
  async function runOnce(event: unknown, awsRequestId: string = randomUUID(), sharedEnvironments?: number, traceId?: string, sink?: ResponseSink): Promise<InvokeOutcome> {
    const usage: InvocationUsage = {};
    let failure: FunctionError | undefined;
    options.log(`START RequestId: ${awsRequestId} Version: $LATEST`);
    const started = performance.now();
    try {
      const result = await options.runtime.run(
        event,
        {
          awsRequestId,
          functionName: options.functionName,
          invokedFunctionArn: options.functionArn,
          memoryLimitInMB: options.memoryMb,
          timeoutMs: options.timeoutMs,
          ...(sharedEnvironments !== undefined ? { sharedEnvironments } : {}),
          ...(traceId !== undefined ? { traceId } : {}),
        },
        usage,
        sink,
      );
      return { statusCode: 200, payload: result ?? null };
    } catch (error) {
      failure = error instanceof FunctionError ? error : new FunctionError('Error', String(error));
      options.log(`ERROR RequestId: ${awsRequestId}\t${failure.errorType}: ${failure.message}`);
      return {
        statusCode: 200,
        payload: { errorType: failure.errorType, errorMessage: failure.message },
        functionError: { errorType: failure.errorType, errorMessage: failure.message },
      };
    } finally {
      options.log(`END RequestId: ${awsRequestId}`);
      // A cold start's init is reported apart from the invocation's own duration, as Lambda does.
      const durationMs = performance.now() - started - (usage.initDurationMs ?? 0);
      options.log(reportLine(awsRequestId, durationMs, options.memoryMb, usage, failure));
    }
  }

  /** Runs an `Event` once a concurrency slot and a place in its lane are free; it never fails for want of them. */
  async function runQueued(event: unknown, traceId?: string): Promise<InvokeOutcome | undefined> {
    if (!(await concurrency.acquire())) return undefined;
    try {
      if (!(await eventLane.acquire())) return undefined;
      try {
        return await runOnce(event, undefined, undefined, traceId);
      } finally {
        eventLane.release();
      }
    } finally {
      concurrency.release();
    }
  }

  /** A synchronous execution: refused at once when every slot is busy, as Lambda throttles. */
  async function runNow(event: unknown, awsRequestId?: string, traceId?: string, sink?: ResponseSink): Promise<InvokeOutcome> {
    if (!concurrency.tryAcquire()) return THROTTLED;
    try {
      return await runOnce(event, awsRequestId, options.lanes?.sync, traceId, sink);
    } finally {
      concurrency.release();
    }
  }

  /** Runs an `Event` invocation with Lambda's retries on function errors. */
  async function runAsync(event: unknown, traceId: string | undefined, retryIndex = 0): Promise<void> {
    const outcome = await runQueued(event, traceId);
    if (outcome === undefined || outcome.functionError === undefined || retryIndex >= options.asyncRetry.retries || stopping) return;
    const delayMs = options.asyncRetry.delaysMs[retryIndex] ?? options.asyncRetry.delaysMs.at(-1) ?? 0;
    void later(delayMs, () => runAsync(event, traceId, retryIndex + 1));
  }

  return {
    faults,
    rejectsNextInvoke() {
      if (faults.rejectInvokes <= 0) return false;
      faults.rejectInvokes -= 1;
      return true;
    },
    invoke: (event, awsRequestId, traceId, sink) => track(runNow(event, awsRequestId, traceId, sink)),
    enqueueEvent(event, traceId) {
      if (faults.dropEvents) return;
      if (faults.dropNextEvents > 0) {
        faults.dropNextEvents -= 1;
        return;
      }
      for (let delivery = 0; delivery < faults.deliveriesPerEvent; delivery += 1) {
        void later(faults.eventDelayMs, () => runAsync(event, traceId));
      }
    },
    async idle() {
      while (pending.size > 0) await Promise.allSettled([...pending]);
    },
    load: () => ({ running: concurrency.inUse, queued: concurrency.waiting }),
    stop() {
      stopping = true;
      for (const semaphore of [concurrency, eventLane]) semaphore.close();
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
    },
  };
}
