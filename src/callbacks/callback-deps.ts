import type { Logger } from '../log.js';
import type { Metrics } from '../metrics.js';
import type { RequestStore } from '../requests/store.js';
import type { ObjectStore } from '../storage/object-store.js';
import type { HostLookup } from './host-lookup.js';

/** What webhook deliveries use, declared here so that callbacks/ depends on nothing above it. */
export interface CallbackDeps {
  store: RequestStore;
  objects: ObjectStore | undefined;
  now: () => number;
  log: Logger;
  metrics: Metrics;
  /** How callback hosts are looked up; the system resolver when absent. */
  lookupHost?: HostLookup;
  /** Of the configuration, the webhook settings (WEBHOOK_SECRET, CALLBACK_*, RESULT_URL_SECONDS). */
  config: {
    webhookSecret: string | undefined;
    callbackAllowedHosts: readonly string[];
    callbackAllowLoopback: boolean;
    callbackMaxAttempts: number;
    callbackTimeoutMs: number;
    resultUrlSeconds: number;
  };
}
