import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createLambdaScheduler, THROTTLE_REASON, THROTTLED, type InvokeOutcome, type LambdaFaults, type LambdaSchedulerOptions } from './lambda-scheduler.js';
import { LAMBDA_RECURSION_LIMIT, chainLength, traceIdFor } from './lambda-lineage.js';
import { close, listen } from './listen.js';
import { requestUrl } from './request-url.js';
import { readBody } from './read-body.js';
import type { ResponseSink } from './runtime.js';

export { DEFAULT_CONCURRENCY, type AsyncRetryPolicy, type InvokeOutcome, type LambdaFaults } from './lambda-scheduler.js';

/** Lambda's limit on an asynchronous invocation's payload. */
const MAX_ASYNC_PAYLOAD_BYTES = 1024 * 1024;
const MAX_SYNC_PAYLOAD_BYTES = 6 * 1024 * 1024;
const INVOCATION_TYPES = new Set(['RequestResponse', 'Event', 'DryRun']);
/** The only version a local function has. */
const LATEST = '$LATEST';
const INVOKE_PATH = /^\/2015-03-31\/functions\/([^/]+)\/invocations$/;

export interface LambdaServiceOptions extends Omit<LambdaSchedulerOptions, 'functionArn'> {
  region: string;
  accountId: string;
  port?: number;
  /** Invocations in one chain past which the next is stopped; Lambda's own, {@link LAMBDA_RECURSION_LIMIT}, when absent. */
  recursionLimit?: number;
}

export interface LambdaService {
  endpoint: string;
  functionArn: string;
  faults: LambdaFaults;
  /** A synchronous invocation, as API Gateway's proxy integration makes; with `sink`, a streaming one (InvokeWithResponseStream). */
  invoke(event: unknown, sink?: ResponseSink): Promise<InvokeOutcome>;
  /** An asynchronous invocation, as EventBridge Scheduler makes: queued, with the `Event` faults and retries. */
  invokeAsync(event: unknown): void;
  /** Resolves when no invocation is running, queued, or waiting for a retry. */
  idle(): Promise<void>;
  /** Executions running now and `Event`s waiting for a free slot. */
  load(): { running: number; queued: number };
  stop(): Promise<void>;
}

/**
 * A local Lambda service that speaks the real `Invoke` API, so the handler's own
 * `@aws-sdk/client-lambda` call is what dispatches the work, as in AWS. This file is the HTTP API
 * (paths, qualifiers, limits, Lambda's error answers); when and how invocations run is the
 * scheduler's (lambda-scheduler.ts).
 */
export async function startLambdaService(options: LambdaServiceOptions): Promise<LambdaService> {
  const functionArn = `arn:aws:lambda:${options.region}:${options.accountId}:function:${options.functionName}`;
  const scheduler = createLambdaScheduler({ ...options, functionArn });
  const recursionLimit = options.recursionLimit ?? LAMBDA_RECURSION_LIMIT;

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
    const url = requestUrl(request.url);
    if (url === undefined) return fail(400, 'InvalidRequestContentException', 'The request target is not a valid URL');
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
    if (scheduler.rejectsNextInvoke()) return fail(503, 'ServiceException', 'The service is unavailable (injected fault).');
    const type = String(request.headers['x-amz-invocation-type'] ?? 'RequestResponse');
    if (!INVOCATION_TYPES.has(type)) return fail(400, 'InvalidParameterValueException', `Unknown invocation type ${type}`);
    // The size is checked before parsing: a cut-off body would only read as bad JSON. The body is
    // read through, so the caller gets the 413 rather than a reset connection.
    const limit = type === 'Event' ? MAX_ASYNC_PAYLOAD_BYTES : MAX_SYNC_PAYLOAD_BYTES;
    const body = await readBody(request, limit, { whenOver: 'at-end' });
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
    // The chain this call belongs to (the caller's trace header, which the SDK sends from inside a function).
    const length = chainLength(firstHeader(request.headers['x-amzn-trace-id']), functionArn) + 1;
    const stopped = length > recursionLimit;
    if (stopped) {
      // Lambda's notification, in the log; an Event is accepted and dropped (no failure destination here).
      options.log(`RecursiveInvocationException RequestId: ${requestId}\tLambda stopped invocation ${length} of a chain of requests (recursive loop detection: more than ${recursionLimit})`);
    }
    if (type === 'Event') {
      if (!stopped) scheduler.enqueueEvent(event, traceIdFor(length, functionArn));
      response.writeHead(202, { 'x-amzn-RequestId': requestId }).end();
      return;
    }
    if (stopped) return fail(400, 'RecursiveInvocationException', 'Lambda has detected your function being invoked in a recursive loop with other AWS resources and stopped your function\'s invocation.');
    const outcome = await scheduler.invoke(event, requestId, traceIdFor(length, functionArn));
    if (outcome === THROTTLED) return fail(429, 'TooManyRequestsException', 'Rate Exceeded.', { Reason: THROTTLE_REASON });
    const headers: Record<string, string> = { 'Content-Type': 'application/json', 'X-Amz-Executed-Version': LATEST, 'x-amzn-RequestId': requestId };
    if (outcome.functionError) headers['X-Amz-Function-Error'] = 'Unhandled';
    response.writeHead(outcome.statusCode, headers).end(JSON.stringify(outcome.payload));
  }

  const endpoint = await listen(server, options.port ?? 0);
  return {
    endpoint,
    functionArn,
    faults: scheduler.faults,
    // API Gateway and the schedule: calls from outside any chain, each starting one.
    invoke: (event, sink) => scheduler.invoke(event, undefined, traceIdFor(1, functionArn), sink),
    invokeAsync: (event) => scheduler.enqueueEvent(event, traceIdFor(1, functionArn)),
    idle: () => scheduler.idle(),
    load: () => scheduler.load(),
    async stop() {
      scheduler.stop();
      await close(server);
      await options.runtime.stop();
    },
  };
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

function firstHeader(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}
