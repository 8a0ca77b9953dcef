import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { close, listen } from './listen.js';
import { Semaphore } from './semaphore.js';
import { FunctionError, type FunctionRuntime, type InvocationUsage } from './runtime.js';

/** Lambda's limit on an asynchronous invocation's payload. */
const MAX_ASYNC_PAYLOAD_BYTES = 256 * 1024;
const MAX_SYNC_PAYLOAD_BYTES = 6 * 1024 * 1024;
const INVOKE_PATH = /^\/2015-03-31\/functions\/([^/]+)\/invocations$/;
const BILLING_GRANULARITY_MS = 1;
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
  /** Run upcoming `Event`s this much later (a backed-up async queue). */
  eventDelayMs: number;
}

export interface LambdaServiceOptions {
  functionName: string;
  region: string;
  accountId: string;
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
   * How many executions this machine runs at once for `Event`s and for synchronous calls. Unlike
   * Lambda's concurrency, an execution beyond these waits rather than fails: the lanes protect
   * the machine, and keep long background work from starving API calls. Unlimited when absent.
   */
  lanes?: { events: number; sync: number };
  /** Where START, END, REPORT lines and function errors go. */
  log: (line: string) => void;
  port?: number;
}

export interface InvokeOutcome {
  statusCode: number;
  payload: unknown;
  functionError?: { errorType: string; errorMessage: string };
}

export interface LambdaService {
  endpoint: string;
  functionArn: string;
  faults: LambdaFaults;
  /** A synchronous invocation, as API Gateway's proxy integration makes. */
  invoke(event: unknown): Promise<InvokeOutcome>;
  /** Resolves when no invocation is running, queued, or waiting for a retry. */
  idle(): Promise<void>;
  /** Executions running now and `Event`s waiting for a free slot. */
  load(): { running: number; queued: number };
  stop(): Promise<void>;
}

/**
 * A local Lambda service that speaks the real `Invoke` API, so the handler's own
 * `@aws-sdk/client-lambda` call is what dispatches the work, as in AWS.
 */
export async function startLambdaService(options: LambdaServiceOptions): Promise<LambdaService> {
  const functionArn = `arn:aws:lambda:${options.region}:${options.accountId}:function:${options.functionName}`;
  const faults: LambdaFaults = { rejectInvokes: 0, deliveriesPerEvent: 1, dropEvents: false, eventDelayMs: 0 };
  const pending = new Set<Promise<unknown>>();
  const timers = new Set<NodeJS.Timeout>();
  const concurrency = new Semaphore(options.concurrency ?? DEFAULT_CONCURRENCY);
  const eventLane = new Semaphore(options.lanes?.events ?? Number.POSITIVE_INFINITY);
  const syncLane = new Semaphore(options.lanes?.sync ?? Number.POSITIVE_INFINITY);
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
  async function runOnce(event: unknown): Promise<InvokeOutcome> {
    const awsRequestId = randomUUID();
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
          invokedFunctionArn: functionArn,
          memoryLimitInMB: options.memoryMb,
          timeoutMs: options.timeoutMs,
        },
        usage,
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

  /** Runs `event` holding a permit of `lane`, then gives back the lane and the concurrency slot. */
  async function runInLane(lane: Semaphore, event: unknown): Promise<InvokeOutcome | undefined> {
    try {
      if (!(await lane.acquire())) return undefined;
      try {
        return await runOnce(event);
      } finally {
        lane.release();
      }
    } finally {
      concurrency.release();
    }
  }

  /** Runs one execution once a slot is free; an `Event` never fails for want of concurrency. */
  async function runQueued(event: unknown): Promise<InvokeOutcome | undefined> {
    if (!(await concurrency.acquire())) return undefined;
    return runInLane(eventLane, event);
  }

  /** A synchronous execution: refused at once when every slot is busy, as Lambda throttles. */
  async function runNow(event: unknown): Promise<InvokeOutcome> {
    if (!concurrency.tryAcquire()) return THROTTLED;
    return (await runInLane(syncLane, event)) ?? THROTTLED;
  }

  /** Runs an `Event` invocation with Lambda's retries on function errors. */
  async function runAsync(event: unknown, retryIndex = 0): Promise<void> {
    const outcome = await runQueued(event);
    if (outcome === undefined || outcome.functionError === undefined || retryIndex >= options.asyncRetry.retries || stopping) return;
    const delayMs = options.asyncRetry.delaysMs[retryIndex] ?? options.asyncRetry.delaysMs.at(-1) ?? 0;
    void later(delayMs, () => runAsync(event, retryIndex + 1));
  }

  function enqueueEvent(event: unknown): void {
    if (faults.dropEvents) return;
    for (let delivery = 0; delivery < faults.deliveriesPerEvent; delivery += 1) {
      void later(faults.eventDelayMs, () => runAsync(event));
    }
  }

  const server = createServer((request, response) => {
    void handle(request, response).catch((error: unknown) => {
      sendError(response, 500, 'ServiceException', error instanceof Error ? error.message : 'internal error');
    });
  });

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', 'http://localhost');
    const match = INVOKE_PATH.exec(url.pathname);
    if (request.method !== 'POST' || match === null) {
      return sendError(response, 404, 'UnknownOperationException', `No operation at ${request.method} ${url.pathname}`);
    }
    const target = decodeURIComponent(match[1]!);
    if (target !== options.functionName && target !== functionArn && !target.startsWith(`${functionArn}:`)) {
      return sendError(response, 404, 'ResourceNotFoundException', `Function not found: ${target}`);
    }
    if (faults.rejectInvokes > 0) {
      faults.rejectInvokes -= 1;
      return sendError(response, 503, 'ServiceException', 'The service is unavailable (injected fault).');
    }
    const body = await readBody(request, MAX_SYNC_PAYLOAD_BYTES + 1);
    const type = String(request.headers['x-amz-invocation-type'] ?? 'RequestResponse');
    let event: unknown;
    try {
      event = body.length === 0 ? {} : JSON.parse(body.toString('utf8'));
    } catch {
      return sendError(response, 400, 'InvalidRequestContentException', 'Could not parse request body into json');
    }

    if (type === 'DryRun') {
      response.writeHead(204).end();
      return;
    }
    if (type === 'Event') {
      if (body.length > MAX_ASYNC_PAYLOAD_BYTES) {
        return sendError(response, 413, 'RequestTooLargeException', `Request must be smaller than ${MAX_ASYNC_PAYLOAD_BYTES} bytes for the Event invocation type`);
      }
      enqueueEvent(event);
      response.writeHead(202, { 'x-amzn-RequestId': randomUUID() }).end();
      return;
    }
    if (type !== 'RequestResponse') {
      return sendError(response, 400, 'InvalidParameterValueException', `Unknown invocation type ${type}`);
    }
    if (body.length > MAX_SYNC_PAYLOAD_BYTES) {
      return sendError(response, 413, 'RequestTooLargeException', 'Request must be smaller than 6291456 bytes for the InvokeFunction operation');
    }
    const outcome = await track(runNow(event));
    if (outcome === THROTTLED) {
      return sendError(response, 429, 'TooManyRequestsException', 'Rate Exceeded.', { Reason: THROTTLE_REASON });
    }
    const headers: Record<string, string> = { 'Content-Type': 'application/json', 'X-Amz-Executed-Version': '$LATEST' };
    if (outcome.functionError) headers['X-Amz-Function-Error'] = 'Unhandled';
    response.writeHead(outcome.statusCode, headers).end(JSON.stringify(outcome.payload));
  }

  const endpoint = await listen(server, options.port ?? 0);
  return {
    endpoint,
    functionArn,
    faults,
    invoke: (event) => track(runNow(event)),
    async idle() {
      while (pending.size > 0) await Promise.allSettled([...pending]);
    },
    load: () => ({ running: concurrency.inUse, queued: concurrency.waiting }),
    async stop() {
      stopping = true;
      for (const semaphore of [concurrency, eventLane, syncLane]) semaphore.close();
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      await close(server);
      await options.runtime.stop();
    },
  };
}

const THROTTLE_REASON = 'ReservedFunctionConcurrentInvocationLimitExceeded';
/** What a synchronous invocation beyond the concurrency limit gets, as Lambda answers it. */
const THROTTLED: InvokeOutcome = {
  statusCode: 429,
  payload: { Reason: THROTTLE_REASON, Type: 'User', message: 'Rate Exceeded.' },
  functionError: { errorType: 'TooManyRequestsException', errorMessage: 'Rate Exceeded.' },
};

/** Lambda's REPORT line; `Status` and `Error Type` appear only for a failed execution. */
function reportLine(requestId: string, durationMs: number, memoryMb: number, usage: InvocationUsage, failure?: FunctionError): string {
  const initMs = usage.initDurationMs ?? 0;
  // Since August 2025 Lambda bills the init phase of on-demand functions as part of the invocation.
  const billed = Math.ceil((durationMs + initMs) / BILLING_GRANULARITY_MS) * BILLING_GRANULARITY_MS;
  const fields = [
    `REPORT RequestId: ${requestId}`,
    `Duration: ${durationMs.toFixed(2)} ms`,
    `Billed Duration: ${billed} ms`,
    `Memory Size: ${memoryMb} MB`,
    `Max Memory Used: ${usage.maxMemoryUsedMb ?? 0} MB`,
  ];
  if (usage.initDurationMs !== undefined) fields.push(`Init Duration: ${usage.initDurationMs.toFixed(2)} ms`);
  if (failure !== undefined) {
    fields.push(`Status: ${failure.errorType === 'Sandbox.Timedout' ? 'timeout' : 'error'}`, `Error Type: ${failure.errorType}`);
  }
  return fields.join('\t');
}

function sendError(response: ServerResponse, status: number, type: string, message: string, extra: Record<string, string> = {}): void {
  if (response.headersSent) return void response.end();
  response
    .writeHead(status, { 'Content-Type': 'application/json', 'x-amzn-ErrorType': type, 'x-amzn-RequestId': randomUUID() })
    .end(JSON.stringify({ ...extra, Type: status >= 500 ? 'Service' : 'User', message }));
}

/** Reads a request body, stopping at `limit` bytes (the caller checks the length). */
export function readBody(request: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= limit) chunks.push(chunk);
    });
    request.on('end', () => resolve(Buffer.concat(chunks)));
    request.on('error', reject);
  });
}
