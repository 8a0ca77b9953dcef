import { afterEach, describe, expect, it } from 'vitest';
import { FunctionError, type InvocationMeta, type InvocationUsage } from '../../src/local/runtime.js';
import { createSandboxRuntime, type SandboxRuntime } from '../../src/local/sandbox-runtime.js';
import { waitFor } from '../support/wait-for.js';
import { TEST_HANDLER, isAlive } from './helpers.js';

const MEMORY_MB = 256;
const FUNCTION_ENV = { REQUESTS_TABLE: 'sandbox-test', AWS_REGION: 'us-east-1' };

function meta(timeoutMs = 5000): InvocationMeta {
  return {
    awsRequestId: crypto.randomUUID(),
    functionName: 'fn',
    invokedFunctionArn: 'arn:aws:lambda:us-east-1:000000000000:function:fn',
    memoryLimitInMB: MEMORY_MB,
    timeoutMs,
  };
}

async function failureOf(work: Promise<unknown>): Promise<FunctionError> {
  const error = await work.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  expect(error).toBeInstanceOf(FunctionError);
  return error as FunctionError;
}

describe('sandbox runtime', () => {
  let runtime: SandboxRuntime;
  const output: string[] = [];
  const start = (options: { idleTtlMs?: number } = {}) =>
    (runtime = createSandboxRuntime({ env: FUNCTION_ENV, modulePath: TEST_HANDLER, memoryMb: MEMORY_MB, log: (line) => output.push(line), ...options }));

  afterEach(async () => {
    await runtime?.stop();
  });

  it('runs the handler in a child process with only the function environment and a context whose deadline is right', async () => {
    start();
    const usage: InvocationUsage = {};
    const invocation = meta(5000);

    const result = (await runtime.run({}, invocation, usage)) as Record<string, any>;

    expect(result.pid).not.toBe(process.pid);
    expect(result.awsRequestId).toBe(invocation.awsRequestId);
    expect(result.functionName).toBe('fn');
    expect(result.memoryLimitInMB).toBe(String(MEMORY_MB));
    expect(result.remainingMs).toBeGreaterThan(4000);
    expect(result.remainingMs).toBeLessThanOrEqual(5000);
    // Nothing of the test process leaks in (PATH, HOME, vitest's variables).
    expect(Object.keys(result.env).sort()).toEqual(['AWS_REGION', 'REQUESTS_TABLE']);
    expect(result.execArgv).toContain(`--max-old-space-size=${Math.floor(MEMORY_MB * 0.85)}`);
    expect(usage.initDurationMs).toBeGreaterThan(0);
    expect(usage.maxMemoryUsedMb).toBeGreaterThan(10);
  });

  it('reuses a warm environment, and starts one per concurrent invocation', async () => {
    start();
    const first = (await runtime.run({}, meta())) as { pid: number };
    const warmUsage: InvocationUsage = {};
    const second = (await runtime.run({}, meta(), warmUsage)) as { pid: number };
    expect(second.pid).toBe(first.pid);
    expect(warmUsage.initDurationMs).toBeUndefined();

    const parallel = (await Promise.all([1, 2, 3].map(() => runtime.run({ action: 'sleep', ms: 200 }, meta())))) as Array<{ pid: number }>;

    expect(new Set(parallel.map((result) => result.pid)).size).toBe(3);
    expect(runtime.counts()).toEqual({ busy: 0, idle: 3 });
  });

  it('runs synchronous calls beyond their environments inside those environments, each with its own context', async () => {
    start();
    const calls = Array.from({ length: 6 }, () => ({ ...meta(), sharedEnvironments: 2 }));

    const results = (await Promise.all(calls.map((call) => runtime.run({}, call)))) as Array<{ pid: number; awsRequestId: string }>;
    const event = (await runtime.run({ action: 'sleep', ms: 100 }, meta())) as { pid: number };

    expect(new Set(results.map((result) => result.pid)).size).toBe(2);
    expect(results.map((result) => result.awsRequestId)).toEqual(calls.map((call) => call.awsRequestId));
    // An idle environment serves anyone; an Event never shares one that is busy.
    expect(results.map((result) => result.pid)).toContain(event.pid);
    expect(runtime.counts()).toEqual({ busy: 0, idle: 2 });
  });

  it('never lets an Event share a busy environment', async () => {
    start();
    const sync = runtime.run({ action: 'sleep', ms: 500 }, { ...meta(), sharedEnvironments: 1 }) as Promise<{ pid: number }>;
    await waitFor(() => (runtime.counts().busy === 1 ? true : undefined));
    const event = (await runtime.run({ action: 'sleep', ms: 10 }, meta())) as { pid: number };
    expect(event.pid).not.toBe((await sync).pid);
  });

  it('kills a shared environment at a timeout: that call reports Sandbox.Timedout, the calls beside it Runtime.ExitError', async () => {
    start();
    const shared = (timeoutMs: number) => ({ ...meta(timeoutMs), sharedEnvironments: 1 });
    const neighbour = failureOf(runtime.run({ action: 'sleep', ms: 30_000 }, shared(60_000)));
    const runaway = failureOf(runtime.run({ action: 'ignore-deadline', ms: 30_000 }, shared(1500)));

    expect((await runaway).errorType).toBe('Sandbox.Timedout');
    expect((await neighbour).errorType).toBe('Runtime.ExitError');
    expect(runtime.counts()).toEqual({ busy: 0, idle: 0 });
  });

  it('reports the real peak memory of the environment', async () => {
    start();
    const usage: InvocationUsage = {};
    await runtime.run({ action: 'allocate', mb: 120 }, meta(), usage);
    expect(usage.maxMemoryUsedMb).toBeGreaterThan(120);
    expect(usage.maxMemoryUsedMb).toBeLessThan(MEMORY_MB + 100);
  });

  it('kills a function that ignores its deadline and reports Sandbox.Timedout', async () => {
    start();
    const { pid } = (await runtime.run({}, meta())) as { pid: number };

    // The function would run 30 s and then succeed: Sandbox.Timedout means the runtime cut it at 0.3 s.
    const error = await failureOf(runtime.run({ action: 'ignore-deadline', ms: 30_000 }, meta(300)));

    expect(error.errorType).toBe('Sandbox.Timedout');
    expect(error.message).toBe('Task timed out after 0.30 seconds');
    await waitFor(() => (isAlive(pid) ? undefined : true));
    // The next invocation gets a fresh environment.
    const next = (await runtime.run({}, meta())) as { pid: number };
    expect(next.pid).not.toBe(pid);
  });

  it('reports Runtime.ExitError when the process exits or throws outside the handler', async () => {
    start();
    const exited = await failureOf(runtime.run({ action: 'exit', code: 3 }, meta()));
    expect(exited.errorType).toBe('Runtime.ExitError');
    expect(exited.message).toBe('Runtime exited with error: exit status 3');

    const uncaught = await failureOf(runtime.run({ action: 'uncaught' }, meta()));
    expect(uncaught.errorType).toBe('Runtime.ExitError');
    expect(output.join('\n')).toContain('uncaught in the background');
  });

  it('keeps the environment warm when the handler itself throws, reporting the error by its name', async () => {
    start();
    const { pid } = (await runtime.run({}, meta())) as { pid: number };
    const error = await failureOf(runtime.run({ action: 'throw' }, meta()));
    expect(error.errorType).toBe('RangeError');
    expect(error.message).toBe('asked to throw');
    expect(((await runtime.run({}, meta())) as { pid: number }).pid).toBe(pid);
  });

  it('killAll() crashes every running invocation with a SIGKILL', async () => {
    start();
    // Two warm environments first, so the kill lands in the handler rather than in a cold start.
    await Promise.all([runtime.run({ action: 'sleep', ms: 100 }, meta()), runtime.run({ action: 'sleep', ms: 100 }, meta())]);
    const failures = Promise.all([1, 2].map(() => failureOf(runtime.run({ action: 'sleep', ms: 30_000 }, meta(60_000)))));
    await waitFor(() => (runtime.counts().busy === 2 ? true : undefined));

    expect(runtime.killAll()).toBe(2);

    for (const error of await failures) {
      expect(error.errorType).toBe('Runtime.ExitError');
      expect(error.message).toBe('Runtime exited with error: signal: killed');
    }
    expect(runtime.counts()).toEqual({ busy: 0, idle: 0 });
  });

  it('shuts down environments idle longer than the idle TTL', async () => {
    start({ idleTtlMs: 200 });
    const { pid } = (await runtime.run({}, meta())) as { pid: number };
    await waitFor(() => (runtime.counts().idle === 0 && !isAlive(pid) ? true : undefined), { timeoutMs: 3000 });
  });

  it('fails a cold start whose module cannot be loaded with Runtime.ImportModuleError', async () => {
    runtime = createSandboxRuntime({ env: {}, modulePath: '/nonexistent/index.mjs', memoryMb: MEMORY_MB, log: () => {} });
    const error = await failureOf(runtime.run({}, meta()));
    expect(error.errorType).toBe('Runtime.ImportModuleError');
  });
});
