import { fork, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';
import { FunctionError, timeoutError, type FunctionRuntime, type InvocationMeta, type InvocationUsage, type ResponseSink } from './runtime.js';

const CHILD_SCRIPT = fileURLToPath(new URL('./sandbox-child.mjs', import.meta.url));
/** The bundle `node build.mjs` writes, exactly what the deployment zip holds. */
export const BUILT_HANDLER = fileURLToPath(new URL('../../dist/lambda/index.mjs', import.meta.url));
/** Lambda gives a cold start's init phase 10 s, outside the invocation's own timeout. */
const INIT_TIMEOUT_MS = 10_000;
/** Lambda keeps an idle execution environment for minutes; locally five is plenty. */
const DEFAULT_IDLE_TTL_MS = 5 * 60_000;
/** Node's heap is sized to the function's memory, as Lambda's Node.js runtime does. */
const HEAP_SHARE_OF_MEMORY = 0.85;

export interface SandboxRuntimeOptions {
  /** The function's environment: exactly what Lambda would set, nothing inherited from this process. */
  env: Record<string, string>;
  /** The module to run; the built bundle by default. */
  modulePath?: string;
  handlerName?: string;
  memoryMb: number;
  /** An environment idle this long is shut down; the next invocation is a cold start again. */
  idleTtlMs?: number;
  /** Where the function's stdout and stderr go, a line at a time (CloudWatch Logs in AWS). */
  log: (line: string) => void;
}

/** A {@link FunctionRuntime} whose execution environments are real processes that can be killed. */
export interface SandboxRuntime extends FunctionRuntime {
  /** SIGKILLs every environment, busy or idle, as a crash would; answers how many were busy. */
  killAll(): number;
  /** Environments alive now: busy running an invocation, idle waiting for one. */
  counts(): { busy: number; idle: number };
}

interface Sandbox {
  child: ChildProcess;
  /** Settles once the module's init (its top level) has run: the cold start. */
  ready: Promise<void>;
  /** Invocations placed in it now; more than one only while synchronous calls share it. */
  load: number;
  /** Whether it serves synchronous calls, which may share it; an `Event` only ever takes an idle one. */
  shared: boolean;
  /** The invocations sent to it and not yet answered, by message id. */
  waiting: Map<number, { resolve(result: unknown): void; reject(error: FunctionError): void; sink?: ResponseSink }>;
  idleSince: number;
  maxMemoryUsedMb: number;
}

/**
 * Runs the built bundle in child processes, reused while warm like Lambda's execution
 * environments. Each invocation gets an environment to itself, except synchronous calls beyond
 * their {@link InvocationMeta.sharedEnvironments}, which share the busy ones. The timeout is
 * enforced by SIGKILL, so code that ignores its deadline really stops (and so do calls sharing its
 * process); a process that dies mid-invocation reports `Runtime.ExitError`. Concurrency is limited
 * by the Lambda service, not here.
 */
export function createSandboxRuntime(options: SandboxRuntimeOptions): SandboxRuntime {
  const modulePath = options.modulePath ?? BUILT_HANDLER;
  const idleTtlMs = options.idleTtlMs ?? DEFAULT_IDLE_TTL_MS;
  const sandboxes = new Set<Sandbox>();
  let nextId = 0;
  let stopped = false;

  const reaper = setInterval(() => {
    const now = Date.now();
    for (const sandbox of sandboxes) {
      if (sandbox.load === 0 && now - sandbox.idleSince >= idleTtlMs) kill(sandbox);
    }
  }, Math.max(100, Math.min(idleTtlMs, 60_000)));
  reaper.unref();

  function kill(sandbox: Sandbox): void {
    sandboxes.delete(sandbox);
    sandbox.maxMemoryUsedMb = Math.max(sandbox.maxMemoryUsedMb, peakMemoryMb(sandbox.child.pid) ?? 0);
    if (sandbox.child.exitCode === null && sandbox.child.signalCode === null) sandbox.child.kill('SIGKILL');
  }

  function forward(stream: NodeJS.ReadableStream | null): void {
    if (stream === null) return;
    createInterface({ input: stream, crlfDelay: Infinity }).on('line', options.log);
  }

  /** Starts an environment, which runs the module's init (its top level) as a cold start does. */
  function coldStart(): Sandbox {
    const child = fork(CHILD_SCRIPT, [modulePath, options.handlerName ?? 'handler'], {
      // Not this process's flags (a TypeScript loader, a debugger): the bundle runs on bare Node.
      execArgv: [`--max-old-space-size=${Math.floor(options.memoryMb * HEAP_SHARE_OF_MEMORY)}`],
      env: options.env,
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      serialization: 'json',
    });
    forward(child.stdout);
    forward(child.stderr);
    let settleInit: (error?: FunctionError) => void = () => {};
    const ready = new Promise<void>((resolve, reject) => {
      settleInit = (error) => (error === undefined ? resolve() : reject(error));
    });
    ready.catch(() => {}); // each invocation placed here awaits it and sees the failure
    const sandbox: Sandbox = { child, ready, load: 0, shared: false, waiting: new Map(), idleSince: Date.now(), maxMemoryUsedMb: 0 };
    sandboxes.add(sandbox);

    const initTimer = setTimeout(() => {
      kill(sandbox);
      settleInit(new FunctionError('Sandbox.Timedout', `Init phase timed out after ${INIT_TIMEOUT_MS / 1000} seconds`));
    }, INIT_TIMEOUT_MS);
    child.on('exit', (code, signal) => {
      clearTimeout(initTimer);
      sandboxes.delete(sandbox);
      const how = signal !== null ? `signal: ${signal === 'SIGKILL' ? 'killed' : signal}` : `exit status ${code}`;
      const error = new FunctionError('Runtime.ExitError', `Runtime exited with error: ${how}`);
      settleInit(error);
      for (const waiter of sandbox.waiting.values()) waiter.reject(error);
      sandbox.waiting.clear();
    });
    child.on('error', () => {}); // an exit follows; a send to a dead child must not crash the service
    child.on('message', (message: ChildMessage) => {
      if (typeof message.maxMemoryUsedMb === 'number') sandbox.maxMemoryUsedMb = message.maxMemoryUsedMb;
      if (message.type === 'ready') {
        clearTimeout(initTimer);
        settleInit();
      } else if (message.type === 'init-error') {
        clearTimeout(initTimer);
        kill(sandbox);
        settleInit(new FunctionError(message.errorType ?? 'Runtime.Unknown', message.errorMessage ?? 'init failed'));
      } else if (message.type === 'chunk' && message.id !== undefined) {
        sandbox.waiting.get(message.id)?.sink?.write(Buffer.from(message.data ?? '', 'base64'));
      } else if (message.type === 'result' && message.id !== undefined) {
        const waiter = sandbox.waiting.get(message.id);
        sandbox.waiting.delete(message.id);
        if (message.ok) waiter?.resolve(message.result);
        else waiter?.reject(new FunctionError(message.errorType ?? 'Error', message.errorMessage ?? ''));
      }
    });
    return sandbox;
  }

  /** An idle environment, else a busy one serving synchronous calls when they fill their share, else a new one. */
  function place(sharedEnvironments: number | undefined): { sandbox: Sandbox; cold: boolean } {
    const all = [...sandboxes];
    let sandbox = all.find((candidate) => candidate.load === 0);
    if (sandbox === undefined && sharedEnvironments !== undefined) {
      const serving = all.filter((candidate) => candidate.shared);
      if (serving.length >= sharedEnvironments) sandbox = serving.sort((a, b) => a.load - b.load)[0];
    }
    const cold = sandbox === undefined;
    sandbox ??= coldStart();
    sandbox.shared = sharedEnvironments !== undefined;
    sandbox.load += 1;
    return { sandbox, cold };
  }

  /** Sends one invocation to a ready environment; SIGKILLs the environment at the deadline. */
  function invoke(sandbox: Sandbox, event: unknown, meta: InvocationMeta, sink?: ResponseSink): Promise<unknown> {
    if (!sandboxes.has(sandbox)) return Promise.reject(new FunctionError('Runtime.ExitError', 'Runtime exited with error: signal: killed'));
    const id = (nextId += 1);
    const deadline = Date.now() + meta.timeoutMs;
    return new Promise<unknown>((resolve, reject) => {
      const timer = setTimeout(() => {
        // Lambda does not ask: the environment is destroyed with whatever it was doing.
        sandbox.waiting.delete(id);
        kill(sandbox);
        reject(timeoutError(meta.timeoutMs));
      }, meta.timeoutMs);
      sandbox.waiting.set(id, {
        resolve(result) {
          clearTimeout(timer);
          resolve(result);
        },
        reject(error) {
          clearTimeout(timer);
          reject(error);
        },
        ...(sink !== undefined ? { sink } : {}),
      });
      sink?.signal.addEventListener('abort', () => sandbox.child.connected && sandbox.child.send({ type: 'abort', id }), { once: true });
      sandbox.child.send({ type: 'invoke', id, event, meta: { ...meta, deadline }, stream: sink !== undefined });
    });
  }

  return {
    async run(event: unknown, meta: InvocationMeta, usage?: InvocationUsage, sink?: ResponseSink): Promise<unknown> {
      if (stopped) throw new FunctionError('Runtime.ExitError', 'The runtime is stopped');
      const { sandbox, cold } = place(meta.sharedEnvironments);
      const started = performance.now();
      try {
        try {
          await sandbox.ready;
        } finally {
          if (cold && usage) usage.initDurationMs = performance.now() - started;
        }
        return await invoke(sandbox, event, meta, sink);
      } finally {
        if (usage) usage.maxMemoryUsedMb = sandbox.maxMemoryUsedMb;
        sandbox.load -= 1;
        sandbox.idleSince = Date.now();
      }
    },
    killAll() {
      let busy = 0;
      for (const sandbox of [...sandboxes]) {
        if (sandbox.load > 0) busy += 1;
        kill(sandbox);
      }
      return busy;
    },
    counts() {
      let busy = 0;
      for (const sandbox of sandboxes) if (sandbox.load > 0) busy += 1;
      return { busy, idle: sandboxes.size - busy };
    },
    async stop() {
      stopped = true;
      clearInterval(reaper);
      const exits = [...sandboxes].map(
        (sandbox) =>
          new Promise<void>((resolve) => {
            if (sandbox.child.exitCode !== null || sandbox.child.signalCode !== null) return resolve();
            sandbox.child.once('exit', () => resolve());
            kill(sandbox);
          }),
      );
      await Promise.all(exits);
    },
  };
}

/** A process's peak resident memory from Linux's /proc (VmHWM), for one that cannot report it any more. */
function peakMemoryMb(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    const match = /^VmHWM:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Math.round(Number(match[1]) / 1024) : undefined;
  } catch {
    return undefined;
  }
}

interface ChildMessage {
  type: 'ready' | 'init-error' | 'result' | 'chunk';
  /** A chunk's bytes, base64. */
  data?: string;
  id?: number;
  ok?: boolean;
  result?: unknown;
  errorType?: string;
  errorMessage?: string;
  maxMemoryUsedMb?: number;
}
