import type { Context } from 'aws-lambda';
import { createLambdaContext } from './lambda-context.mjs';
import { runHandler } from './lambda-streaming.mjs';

/** How an invocation failed, in Lambda's own terms (`errorType` is e.g. `Sandbox.Timedout`). */
export class FunctionError extends Error {
  constructor(
    readonly errorType: string,
    message: string,
  ) {
    super(message);
  }
}

/** Identity and limits of one invocation, as Lambda hands them to the function, and where it may run. */
export interface InvocationMeta {
  awsRequestId: string;
  functionName: string;
  invokedFunctionArn: string;
  memoryLimitInMB: number;
  timeoutMs: number;
  /**
   * Set on a synchronous call when this machine bounds them: at most this many execution
   * environments serve synchronous calls, and once each is busy a further call runs inside one of
   * them beside the others (API calls spend their time waiting on I/O) rather than wait for one.
   * Absent, the invocation has an environment to itself, as every invocation does in Lambda.
   */
  sharedEnvironments?: number;
  /** The X-Ray trace id the runtime puts in `_X_AMZN_TRACE_ID`, with the chain's lineage (see lambda-lineage.ts). */
  traceId?: string;
}

/** What a runtime measured for one invocation; the Lambda service puts it in the REPORT line. */
export interface InvocationUsage {
  /** Peak resident memory of the execution environment, in MB. */
  maxMemoryUsedMb?: number;
  /** Set when the invocation started a new execution environment (a cold start). */
  initDurationMs?: number;
}

/** Where a response-streaming invocation's bytes go as the function writes them (InvokeWithResponseStream). */
export interface ResponseSink {
  write(chunk: Buffer): void;
  /** Aborts when the caller goes away: the function's response stream is destroyed. */
  signal: AbortSignal;
}

/** Runs the function's code for one invocation. */
export interface FunctionRuntime {
  /**
   * Resolves with the handler's result, or rejects with a {@link FunctionError}. A runtime that
   * measures memory or a cold start writes it into `usage`, also when the invocation fails. With
   * `sink`, a response-streaming handler's bytes go there as written (and the result is null).
   */
  run(event: unknown, meta: InvocationMeta, usage?: InvocationUsage, sink?: ResponseSink): Promise<unknown>;
  stop(): Promise<void>;
}

/** A Lambda `Context` for one invocation; the clock starts when it is made. */
export function createContext(meta: InvocationMeta, now: () => number = Date.now): Context {
  return createLambdaContext(meta, { deadline: now() + meta.timeoutMs, logStreamName: 'local', now });
}

/** Lambda's message when the function runs past its timeout. */
export function timeoutError(timeoutMs: number): FunctionError {
  return new FunctionError('Sandbox.Timedout', `Task timed out after ${(timeoutMs / 1000).toFixed(2)} seconds`);
}

/**
 * Runs the handler in this process. A timeout is reported as Lambda reports it, but the code
 * cannot be killed here and runs on: the sandbox runtime kills it for real.
 */
export function createInProcessRuntime(handler: (event: unknown, context: Context) => Promise<unknown>): FunctionRuntime;
/** The same for a handler made when the service has started; a response-streaming one is run as the runtime runs it. */
export function createInProcessRuntime(handler: () => (...args: never[]) => unknown, lazy: true): FunctionRuntime;
export function createInProcessRuntime(handler: (...args: never[]) => unknown, lazy = false): FunctionRuntime {
  const current = () => (lazy ? (handler as () => (...args: never[]) => unknown)() : handler);
  return {
    async run(event, meta, usage, sink) {
      let timer: NodeJS.Timeout | undefined;
      const timedOut = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(timeoutError(meta.timeoutMs)), meta.timeoutMs);
      });
      try {
        return await Promise.race([runHandler(current(), event, createContext(meta), sink?.write, sink?.signal), timedOut]);
      } catch (error) {
        if (error instanceof FunctionError) throw error;
        const name = error instanceof Error ? error.name : 'Error';
        throw new FunctionError(name, error instanceof Error ? error.message : String(error));
      } finally {
        clearTimeout(timer);
        // The function shares this process, so its memory is the whole process's.
        if (usage) usage.maxMemoryUsedMb = Math.round(process.memoryUsage().rss / 1024 / 1024);
      }
    },
    async stop() {},
  };
}
