import { fork, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';
import { FunctionError, timeoutError, type FunctionRuntime, type InvocationMeta, type InvocationUsage } from './runtime.js';

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
  busy: boolean;
  idleSince: number;
  maxMemoryUsedMb: number;
  /** Settles the running invocation when the process dies under it. */
  onExit?: (error: FunctionError) => void;
}

/**
 * Runs the built bundle in child processes, one per concurrent invocation, reused while warm like
 * Lambda's execution environments. The timeout is enforced by SIGKILL, so code that ignores its
 * deadline really stops; a process that dies mid-invocation reports `Runtime.ExitError`.
 * Concurrency is limited by the Lambda service, not here.
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
      if (!sandbox.busy && now - sandbox.idleSince >= idleTtlMs) kill(sandbox);
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

  /** Starts an environment and runs the module's init (its top level), like a cold start. */
  function coldStart(): Promise<Sandbox> {
    const child = fork(CHILD_SCRIPT, [modulePath, options.handlerName ?? 'handler'], {
      // Not this process's flags (a TypeScript loader, a debugger): the bundle runs on bare Node.
      // The SDK's warning about this machine's Node.js version is noise here: Lambda runs a current one.
      execArgv: [`--max-old-space-size=${Math.floor(options.memoryMb * HEAP_SHARE_OF_MEMORY)}`, '--disable-warning=NodeVersionSupportWarning'],
      env: options.env,
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      serialization: 'json',
    });
    forward(child.stdout);
    forward(child.stderr);
    const sandbox: Sandbox = { child, busy: true, idleSince: Date.now(), maxMemoryUsedMb: 0 };
    child.on('exit', (code, signal) => {
      sandboxes.delete(sandbox);
      const how = signal !== null ? `signal: ${signal === 'SIGKILL' ? 'killed' : signal}` : `exit status ${code}`;
      sandbox.onExit?.(new FunctionError('Runtime.ExitError', `Runtime exited with error: ${how}`));
    });
    child.on('error', () => {}); // an exit follows; a send to a dead child must not crash the service
    child.on('message', (message: ChildMessage) => {
      if (typeof message.maxMemoryUsedMb === 'number') sandbox.maxMemoryUsedMb = message.maxMemoryUsedMb;
    });

    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        kill(sandbox);
        reject(new FunctionError('Sandbox.Timedout', `Init phase timed out after ${INIT_TIMEOUT_MS / 1000} seconds`));
      }, INIT_TIMEOUT_MS);
      sandbox.onExit = (error) => {
        clearTimeout(timer);
        reject(error);
      };
      child.once('message', (message: ChildMessage) => {
        clearTimeout(timer);
        sandbox.onExit = undefined;
        if (message.type === 'ready') {
          sandboxes.add(sandbox);
          return resolve(sandbox);
        }
        kill(sandbox);
        reject(new FunctionError(message.errorType ?? 'Runtime.Unknown', message.errorMessage ?? 'init failed'));
      });
    });
  }

  async function acquire(usage: InvocationUsage | undefined): Promise<Sandbox> {
    for (const sandbox of sandboxes) {
      if (!sandbox.busy) {
        sandbox.busy = true;
        return sandbox;
      }
    }
    const started = performance.now();
    try {
      return await coldStart();
    } finally {
      if (usage) usage.initDurationMs = performance.now() - started;
    }
  }

  return {
    async run(event: unknown, meta: InvocationMeta, usage?: InvocationUsage): Promise<unknown> {
      if (stopped) throw new FunctionError('Runtime.ExitError', 'The runtime is stopped');
      const sandbox = await acquire(usage);
      const id = (nextId += 1);
      const deadline = Date.now() + meta.timeoutMs;
      try {
        return await new Promise<unknown>((resolve, reject) => {
          const timer = setTimeout(() => {
            // Lambda does not ask: the environment is destroyed with whatever it was doing.
            sandbox.onExit = undefined;
            kill(sandbox);
            reject(timeoutError(meta.timeoutMs));
          }, meta.timeoutMs);
          sandbox.onExit = (error) => {
            clearTimeout(timer);
            reject(error);
          };
          const onMessage = (message: ChildMessage) => {
            if (message.type !== 'result' || message.id !== id) return;
            clearTimeout(timer);
            sandbox.child.off('message', onMessage);
            sandbox.onExit = undefined;
            if (message.ok) resolve(message.result);
            else reject(new FunctionError(message.errorType ?? 'Error', message.errorMessage ?? ''));
          };
          sandbox.child.on('message', onMessage);
          sandbox.child.send({ type: 'invoke', id, event, meta: { ...meta, deadline } });
        });
      } finally {
        if (usage) usage.maxMemoryUsedMb = sandbox.maxMemoryUsedMb;
        sandbox.busy = false;
        sandbox.idleSince = Date.now();
      }
    },
    killAll() {
      let busy = 0;
      for (const sandbox of [...sandboxes]) {
        if (sandbox.busy) busy += 1;
        kill(sandbox);
      }
      return busy;
    },
    counts() {
      let busy = 0;
      for (const sandbox of sandboxes) if (sandbox.busy) busy += 1;
      return { busy, idle: sandboxes.size - busy };
    },
    async stop() {
      stopped = true;
      clearInterval(reaper);
      const exits = [...sandboxes].map(
        (sandbox) => new Promise<void>((resolve) => {
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
  type: 'ready' | 'init-error' | 'result';
  id?: number;
  ok?: boolean;
  result?: unknown;
  errorType?: string;
  errorMessage?: string;
  maxMemoryUsedMb?: number;
}
