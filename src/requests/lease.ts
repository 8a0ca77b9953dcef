import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { describeError, type Logger } from '../log.js';
import { type Progress, type StepView } from '../contract.js';
import type { LeaseLoss, LeaseTerms, LeaseThreadData, ThreadMessage, ThreadRequest } from './lease-messages.js';
import { leaseMarginMs } from './transitions.js';

export type { LeaseLoss, LeaseTerms } from './lease-messages.js';

/** A claimed request's lease, kept alive by the keeper's thread until released. */
export interface HeldLease {
  /** Hands over the latest progress; the thread writes it, at most once per progress interval. */
  report(progress: Progress): void;
  /** Hands over the step the task has reached; written with the progress. */
  reportStep(step: StepView): void;
  /** True once the lease may have ended: the thread did not renew it in time. */
  lapsed(): boolean;
  /** Settles if the lease is lost before it is released. */
  readonly lost: Promise<LeaseLoss>;
  /** Stops renewing; answers how many renewals the thread wrote. */
  release(): Promise<{ heartbeats: number }>;
}

/** Holds the leases of the requests this process works on. */
export interface LeaseKeeper {
  hold(terms: LeaseTerms): HeldLease;
}

export interface LeaseKeeperOptions {
  tableName: string;
  /** The DynamoDB client's settings for the thread (plain data: region, endpoint, credentials, timeouts). */
  clientConfig: Record<string, unknown>;
  log: Logger;
  /** The thread's bundled module, `lease-thread.mjs` next to the entry point; without it, bundled from the source on first use. */
  threadUrl?: URL;
}

/**
 * The thread's module when running from the sources (tests, the local stack): its TypeScript
 * bundled on first use by esbuild (a dev dependency), packages left to node_modules, into
 * node_modules/.cache under a name that is its content's hash, so processes side by side never
 * read a half-written file. A loader such as tsx in the thread would start it seconds later.
 */
let sourceThread: URL | undefined;
function threadFromSource(): URL {
  return (sourceThread ??= bundleThreadSource());
}

function bundleThreadSource(): URL {
  const esbuild = createRequire(import.meta.url)('esbuild') as typeof import('esbuild');
  const built = esbuild.buildSync({
    entryPoints: [fileURLToPath(new URL('./lease-thread.ts', import.meta.url))],
    bundle: true,
    format: 'esm',
    platform: 'node',
    packages: 'external',
    write: false,
    logLevel: 'warning',
  });
  const code = built.outputFiles[0]!.contents;
  const dir = fileURLToPath(new URL('../../node_modules/.cache/async-request-router/', import.meta.url));
  const file = join(dir, `lease-thread-${createHash('sha256').update(code).digest('hex').slice(0, 16)}.mjs`);
  if (!existsSync(file)) {
    mkdirSync(dir, { recursive: true });
    const partial = `${file}.${process.pid}.tmp`;
    writeFileSync(partial, code);
    renameSync(partial, file);
  }
  return pathToFileURL(file);
}

/** A thread with no lease to keep is stopped after this long; the next claim starts another. */
const IDLE_MS = 60_000;

interface Holder {
  lose(reason: LeaseLoss): void;
  released(heartbeats: number): void;
}

/**
 * Keeps leases from a worker thread with an event loop of its own. A task that keeps the main
 * thread busy (a CPU-bound step) cannot then stop the renewals, so its lease does not lapse while
 * the worker is in fact alive, and no duplicate delivery can take the request over meanwhile. The
 * main thread reads how long it may trust its lease from memory the thread shares, without waiting.
 */
export function createLeaseKeeper(options: LeaseKeeperOptions): LeaseKeeper {
  // Bundled now rather than at the first claim, whose lease is already running.
  const threadUrl = options.threadUrl ?? threadFromSource();
  const holders = new Map<number, Holder>();
  let thread: Worker | undefined;
  let idleTimer: NodeJS.Timeout | undefined;
  let nextId = 0;

  function start(): Worker {
    const workerData: LeaseThreadData = { tableName: options.tableName, clientConfig: options.clientConfig };
    const worker = new Worker(threadUrl, { workerData });
    worker.on('message', (message: ThreadMessage) => {
      if (message.type === 'log') {
        options.log[message.level](message.message, { request_id: message.requestId, error: message.error });
        return;
      }
      const holder = holders.get(message.id);
      if (message.type === 'lost') holder?.lose(message.reason);
      else holder?.released(message.heartbeats);
    });
    worker.on('error', (error) => options.log.error('lease keeper thread failed', describeError(error)));
    // Without the thread nothing renews: every lease it kept is as good as lapsed.
    worker.on('exit', () => {
      if (thread === worker) thread = undefined;
      for (const holder of holders.values()) {
        holder.lose('lapsed');
        holder.released(0);
      }
      holders.clear();
    });
    return worker;
  }

  function idleCheck(): void {
    clearTimeout(idleTimer);
    if (holders.size > 0 || thread === undefined) return;
    thread.unref();
    const idle = thread;
    idleTimer = setTimeout(() => void idle.terminate(), IDLE_MS);
    idleTimer.unref();
  }

  return {
    hold(terms) {
      clearTimeout(idleTimer);
      thread ??= start();
      thread.ref();
      const worker = thread;
      const post = (message: ThreadRequest) => worker.postMessage(message);
      const id = (nextId += 1);
      const marginMs = leaseMarginMs(terms.leaseMs);
      const validUntil = new BigInt64Array(new SharedArrayBuffer(BigInt64Array.BYTES_PER_ELEMENT));
      Atomics.store(validUntil, 0, BigInt(Math.floor(terms.leaseUntil - marginMs)));

      let lose: (reason: LeaseLoss) => void = () => {};
      const lost = new Promise<LeaseLoss>((resolve) => (lose = resolve));
      let released: (heartbeats: number) => void = () => {};
      const done = new Promise<{ heartbeats: number }>((resolve) => (released = (heartbeats) => resolve({ heartbeats })));
      holders.set(id, { lose, released });
      post({ type: 'hold', lease: { id, ...terms, heldAt: Date.now(), marginMs, validUntil } });

      let reported: Progress | undefined;
      return {
        report(progress) {
          if (reported?.percent === progress.percent && reported.message === progress.message) return;
          reported = progress;
          post({ type: 'progress', id, progress });
        },
        reportStep(step) {
          post({ type: 'step', id, step });
        },
        lapsed: () => Date.now() >= Number(Atomics.load(validUntil, 0)),
        lost,
        async release() {
          if (holders.has(id)) post({ type: 'release', id });
          const result = await done;
          holders.delete(id);
          idleCheck();
          return result;
        },
      };
    },
  };
}
