import type { Context } from 'aws-lambda';
import type { Config } from '../config.js';
import type { Logger } from '../log.js';
import type { Dispatcher } from '../requests/dispatcher.js';
import type { LeaseKeeper } from '../requests/lease.js';
import type { RequestStore } from '../requests/store.js';
import type { TaskRegistry } from '../tasks/registry.js';

/** Everything the HTTP routes need, passed in so tests can swap an endpoint or a clock. */
export interface ApiDeps {
  config: Config;
  store: RequestStore;
  leases: LeaseKeeper;
  /** Loaded on first use: only `POST /v1/invoke` needs the Lambda client. */
  dispatcher: () => Promise<Dispatcher>;
  tasks: TaskRegistry;
  now: () => number;
  log: Logger;
}

/** The parts of the Lambda context the routes use. */
export type ApiContext = Pick<Context, 'awsRequestId' | 'invokedFunctionArn' | 'getRemainingTimeInMillis'>;
