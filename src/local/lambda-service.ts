import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { close, listen } from './listen.js';
import { Semaphore } from './semaphore.js';
import { FunctionError, type FunctionRuntime, type InvocationUsage } from './runtime.js';

/** Lambda's limit on an asynchronous invocation's payload. */
const MAX_ASYNC_PAYLOAD_BYTES = 1024 * 1024;
const MAX_SYNC_PAYLOAD_BYTES = 6 * 1024 * 1024;
const INVOCATION_TYPES = new Set(['RequestResponse', 'Event', 'DryRun']);
/** The only version a local function has. */
const LATEST = '$LATEST';
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
  async function runOnce(event: unknown, awsRequestId: string = randomUUID(), sharedEnvironments?: number): Promise<InvokeOutcome> {
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
          ...(sharedEnvironments !== undefined ? { sharedEnvironments } : {}),
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

  /** Runs an `Event` once a concurrency slot and a place in its lane are free; it never fails for want of them. */
  async function runQueued(event: unknown): Promise<InvokeOutcome | undefined> {
    if (!(await concurrency.acquire())) return undefined;
    try {
      if (!(await eventLane.acquire())) return undefined;
      try {
        return await runOnce(event);
      } finally {
        eventLane.release();
      }
    } finally {
      concurrency.release();
    }
  }

  /** A synchronous execution: refused at once when every slot is busy, as Lambda throttles. */
  async function runNow(event: unknown, awsRequestId?: string): Promise<InvokeOutcome> {
    if (!concurrency.tryAcquire()) return THROTTLED;
    try {
      return await runOnce(event, awsRequestId, options.lanes?.sync);
    } finally {
      concurrency.release();
    }
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
      sendError(response, randomUUID(), 500, 'ServiceException', error instanceof Error ? error.message : 'internal error');
    });
  });

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    // Lambda answers every call with its request id; a synchronous invocation runs under it.
    const requestId = randomUUID();
    const fail = (status: number, type: string, message: string, extra?: Record<string, string>) =>
      sendError(response, requestId, status, type, message, extra);
    const url = new URL(request.url ?? '/', 'http://localhost');
    const match = INVOKE_PATH.exec(url.pathname);
    if (request.method !== 'POST' || match === null) {
      return fail(404, 'UnknownOperationException', `No operation at ${request.method} ${url.pathname}`);
    }
    const target = decodeOrRaw(match[1]!);
    const named = qualifierIn(target, functionArn);
    if (named === null) return fail(404, 'ResourceNotFoundException', `Function not found: ${target}`);
    const parameter = url.searchParams.get('Qualifier') ?? undefined;
    if (named !== undefined && parameter !== undefined && named !== parameter) {
      return fail(400, 'InvalidParameterValueException', 'The derived qualifier from the function name does not match the specified qualifier.');
    }
    const qualifier = parameter ?? named;
    if (qualifier !== undefined && qualifier !== LATEST) {
      return fail(404, 'ResourceNotFoundException', `Function not found: ${functionArn}:${qualifier}`);
    }
    if (faults.rejectInvokes > 0) {
      faults.rejectInvokes -= 1;
      return fail(503, 'ServiceException', 'The service is unavailable (injected fault).');
    }
    const type = String(request.headers['x-amz-invocation-type'] ?? 'RequestResponse');
    if (!INVOCATION_TYPES.has(type)) return fail(400, 'InvalidParameterValueException', `Unknown invocation type ${type}`);
    // The size is checked before parsing: a cut-off body would only read as bad JSON.
    const limit = type === 'Event' ? MAX_ASYNC_PAYLOAD_BYTES : MAX_SYNC_PAYLOAD_BYTES;
    const body = await readBody(request, limit);
    if (body === undefined) return fail(413, 'RequestTooLargeException', `Request must be smaller than ${limit} bytes for the InvokeFunction operation`);
    let event: unknown;
    try {
      event = body.length === 0 ? {} : JSON.parse(body.toString('utf8'));
    } catch {
      return fail(400, 'InvalidRequestContentException', 'Could not parse request body into json');
    }

    if (type === 'DryRun') {
      response.writeHead(204, { 'x-amzn-RequestId': requestId }).end();
      return;
    }
    if (type === 'Event') {
      enqueueEvent(event);
      response.writeHead(202, { 'x-amzn-RequestId': requestId }).end();
      return;
    }
    const outcome = await track(runNow(event, requestId));
    if (outcome === THROTTLED) return fail(429, 'TooManyRequestsException', 'Rate Exceeded.', { Reason: THROTTLE_REASON });
    const headers: Record<string, string> = { 'Content-Type': 'application/json', 'X-Amz-Executed-Version': LATEST, 'x-amzn-RequestId': requestId };
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
      for (const semaphore of [concurrency, eventLane]) semaphore.close();
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

function sendError(response: ServerResponse, requestId: string, status: number, type: string, message: string, extra: Record<string, string> = {}): void {
  if (response.headersSent) return void response.end();
  response
    .writeHead(status, { 'Content-Type': 'application/json', 'x-amzn-ErrorType': type, 'x-amzn-RequestId': requestId })
    .end(JSON.stringify({ ...extra, Type: status >= 500 ? 'Service' : 'User', message }));
}

/**
 * The qualifier `target` names this function with (undefined for none), or null when it names
 * another function. `target` is a name, a partial ARN (`account:function:name`) or an ARN, each
 * optionally followed by `:qualifier`.
 */
function qualifierIn(target: string, functionArn: string): string | undefined | null {
  const parts = functionArn.split(':');
  for (const unqualified of [functionArn, parts.slice(4).join(':'), parts.at(-1)!]) {
    if (target === unqualified) return undefined;
    if (target.startsWith(`${unqualified}:`)) return target.slice(unqualified.length + 1);
  }
  return null;
}

/** A path segment decoded, or as it came when it is not valid percent-encoding. */
function decodeOrRaw(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

/**
 * Reads a request body whole, or answers undefined once it passes `limit` bytes; the rest is
 * still read (and dropped) so the caller gets the answer rather than a reset connection.
 */
function readBody(request: IncomingMessage, limit: number): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= limit) chunks.push(chunk);
      else chunks.length = 0;
    });
    request.on('end', () => resolve(size <= limit ? Buffer.concat(chunks) : undefined));
    request.on('error', reject);
  });
}
