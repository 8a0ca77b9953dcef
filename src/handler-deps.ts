import type { JwtVerifier } from './auth/jwt-verifier.js';
import type { HostLookup } from './callbacks/host-lookup.js';
import type { Config } from './config.js';
import type { Logger } from './log.js';
import type { Metrics } from './metrics.js';
import type { Dispatcher } from './requests/dispatcher.js';
import type { LeaseKeeper } from './requests/lease.js';
import type { RequestStore } from './requests/store.js';
import type { ObjectStore } from './storage/object-store.js';
import type { TaskRegistry } from './tasks/registry.js';
import type { WebhookDelivery } from './requests/ports.js';

/** Everything the handler needs, passed in so tests can swap an endpoint or a clock. */
export interface HandlerDeps {
  config: Config;
  store: RequestStore;
  leases: LeaseKeeper;
  /** The results bucket; undefined without RESULTS_BUCKET (no files, no results beyond the item). */
  objects: ObjectStore | undefined;
  /** Loaded on first use: only `POST /v1/invoke` needs the Lambda client. */
  dispatcher: () => Promise<Dispatcher>;
  tasks: TaskRegistry;
  now: () => number;
  log: Logger;
  metrics: Metrics;
  /** How callback hosts are looked up; the system resolver when absent. */
  lookupHost?: HostLookup;
  /** Verifies bearer tokens against JWT_ISSUER, made once per cold start so its keys stay cached; absent: tokens are not verified here. */
  verifier?: JwtVerifier;
  /** The webhook delivery the worker runs when it ends a request, and the sweeper times. */
  webhooks: WebhookDelivery;
}

/** What the HTTP routes use. */
export type ApiDeps = Pick<HandlerDeps, 'config' | 'store' | 'objects' | 'dispatcher' | 'tasks' | 'now' | 'log' | 'metrics' | 'lookupHost' | 'verifier'>;

export type { InvocationContext } from './requests/ports.js';
