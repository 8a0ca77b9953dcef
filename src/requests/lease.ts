import { Worker } from 'node:worker_threads';
import { describeError, type Logger } from '../log.js';
import { type Progress, type StepView } from '../contract.js';

/** Why a held lease ended before it was released: another attempt, a cancel or the deadline took the request, or it ran out unrenewed. */
export type LeaseLoss = 'superseded' | 'lapsed';

export interface LeaseTerms {
  requestId: string;
  /** The worker's fencing token: every renewal is conditional on it. */
  attempt: number;
  leaseMs: number;
  /** The lease's end as the claim wrote it. */
  leaseUntil: number;
  progressIntervalMs: number;
  /** When the invocation will be stopped: no lease is renewed past it. */
  invocationEndsAt: number;
}

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
  /** The thread's module, `lease-thread.mjs` next to the entry point; in the bundle the handler passes its own. */
  threadUrl?: URL;
}

const SOURCE_THREAD_URL = new URL('../lease-thread.mjs', import.meta.url);
/** A thread with no lease to keep is stopped after this long; the next claim starts another. */
const IDLE_MS = 60_000;

/**
 * The main thread trusts its lease until this long before the end the table holds: room for the
 * write it is about to make. Kept below the worker's own timeout margin (at least 500 ms), so
 * an invocation running out is reported as a timeout, not as a lapsed lease.
 */
export function leaseMarginMs(leaseMs: number): number {
  return Math.min(250, leaseMs / 10);
}

type ThreadMessage =
  | { type: 'lost'; id: number; reason: LeaseLoss }
  | { type: 'released'; id: number; heartbeats: number }
  | { type: 'log'; level: 'warn' | 'error'; message: string; requestId: string; error: string };

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
  const holders = new Map<number, Holder>();
  let thread: Worker | undefined;
  let idleTimer: NodeJS.Timeout | undefined;
  let nextId = 0;

  function start(): Worker {
    const worker = new Worker(options.threadUrl ?? SOURCE_THREAD_URL, {
      workerData: { tableName: options.tableName, clientConfig: options.clientConfig },
    });
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
      const id = (nextId += 1);
      const marginMs = leaseMarginMs(terms.leaseMs);
      const validUntil = new BigInt64Array(new SharedArrayBuffer(BigInt64Array.BYTES_PER_ELEMENT));
      Atomics.store(validUntil, 0, BigInt(Math.floor(terms.leaseUntil - marginMs)));

      let lose: (reason: LeaseLoss) => void = () => {};
      const lost = new Promise<LeaseLoss>((resolve) => (lose = resolve));
      let released: (heartbeats: number) => void = () => {};
      const done = new Promise<{ heartbeats: number }>((resolve) => (released = (heartbeats) => resolve({ heartbeats })));
      holders.set(id, { lose, released });
      worker.postMessage({ type: 'hold', lease: { id, ...terms, heldAt: Date.now(), marginMs, validUntil } });

      let reported: Progress | undefined;
      return {
        report(progress) {
          if (reported?.percent === progress.percent && reported.message === progress.message) return;
          reported = progress;
          worker.postMessage({ type: 'progress', id, progress });
        },
        reportStep(step) {
          worker.postMessage({ type: 'step', id, step });
        },
        lapsed: () => Date.now() >= Number(Atomics.load(validUntil, 0)),
        lost,
        async release() {
          if (holders.has(id)) worker.postMessage({ type: 'release', id });
          const result = await done;
          holders.delete(id);
          idleCheck();
          return result;
        },
      };
    },
  };
}
