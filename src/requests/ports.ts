import type { Context } from 'aws-lambda';
import type { Logger } from '../log.js';
import type { Metrics } from '../metrics.js';
import type { ObjectStore } from '../storage/object-store.js';
import type { TaskRegistry } from '../tasks/registry.js';
import type { Dispatcher } from './dispatcher.js';
import type { LeaseKeeper } from './lease.js';
import type { StoredRequest } from './model.js';
import type { RequestStore } from './store.js';

// What the worker and the sweeper need, declared here so that requests/ depends on nothing above
// it: the composition root (build-handler.ts) fills these in.

/** The parts of Lambda's context the handler uses. */
export type InvocationContext = Pick<Context, 'awsRequestId' | 'invokedFunctionArn' | 'getRemainingTimeInMillis'>;

/** Delivery of an ended request's webhook (callbacks/), handed in. */
export interface WebhookDelivery {
  /** The longest one delivery run takes: whoever runs it holds the request's sweep entry this long. */
  readonly runWindowMs: number;
  /** The delivery run of the invocation that ended the request. */
  deliverNow(ended: StoredRequest, remainingMs: () => number): Promise<void>;
}

interface RequestDeps {
  store: RequestStore;
  /** The results bucket; undefined without RESULTS_BUCKET. */
  objects: ObjectStore | undefined;
  /** Loaded on first use: only a dispatch needs the Lambda client. */
  dispatcher: () => Promise<Dispatcher>;
  now: () => number;
  log: Logger;
  metrics: Metrics;
}

/** The worker's settings (from the configuration): the lease, progress, output and continuation limits. */
export interface WorkerSettings {
  leaseSeconds: number;
  progressIntervalMs: number;
  maxOutputBytes: number;
  maxFiles: number;
  inlineResultMaxBytes: number;
  stepBudgetSeconds: number;
  checkpointInlineMaxBytes: number;
  continuationChainMax: number;
  sweepGraceSeconds: number;
}

/** What the worker uses. */
export interface WorkerDeps extends RequestDeps {
  leases: LeaseKeeper;
  tasks: TaskRegistry;
  config: WorkerSettings;
  /** Without it, an owed webhook is left to the sweeper, due at once. */
  webhooks?: WebhookDelivery;
}

/** What the sweeper uses. */
export interface SweepDeps extends RequestDeps {
  config: { sweepBatch: number; sweepGraceSeconds: number };
  /** Absent only where no request owes a webhook. */
  webhooks?: Pick<WebhookDelivery, 'runWindowMs'>;
}
