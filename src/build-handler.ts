import { createJwtVerifier } from './auth/jwt-verifier.js';
import { createDocumentClient, sdkConfig, type AwsClientOptions } from './aws-clients.js';
import type { Config } from './config.js';
import { TRIES_IN_INVOCATION, deliveryWindowMs } from './callbacks/schedule.js';
import { createHandler, type Handler } from './create-handler.js';
import type { HandlerDeps } from './handler-deps.js';
import { createJsonLogger } from './log.js';
import { createEmfMetrics } from './metrics.js';
import type { Dispatcher } from './requests/dispatcher.js';
import { createLeaseKeeper } from './requests/lease.js';
import { RequestStore } from './requests/store.js';
import { createS3ObjectStore } from './storage/s3-object-store.js';
import { createDefaultTasks } from './tasks/index.js';

export interface BuildOptions {
  /** Region and credentials for the local stack; in AWS the runtime's environment provides them. */
  clientOptions?: Omit<AwsClientOptions, 'endpoint'>;
  /** Swap any dependency (tasks, logger, clock) in tests. */
  overrides?: Partial<HandlerDeps>;
  /** The lease keeper's thread module; the bundle's entry passes the one beside it. */
  leaseThreadUrl?: URL;
}

/** Builds the SDK clients and the handler for a configuration. */
export function buildHandler(config: Config, { clientOptions = {}, overrides = {}, leaseThreadUrl }: BuildOptions = {}): Handler {
  const dynamoConfig = sdkConfig({ ...clientOptions, endpoint: config.dynamodbEndpoint });
  const log = overrides.log ?? createJsonLogger();

  let dispatcher: Promise<Dispatcher> | undefined;
  const loadDispatcher = () =>
    // One dynamic import of our own module, so the bundle keeps only the Lambda client parts it uses.
    (dispatcher ??= import('./requests/dispatcher.js').then(({ createLambdaDispatcher, LambdaClient }) =>
      createLambdaDispatcher(new LambdaClient(sdkConfig({ ...clientOptions, endpoint: config.lambdaEndpoint }))),
    ));

  const deps: HandlerDeps = {
    config,
    store: new RequestStore(createDocumentClient(dynamoConfig), config.tableName),
    objects: config.resultsBucket === undefined ? undefined : createS3ObjectStore({ bucket: config.resultsBucket, clientConfig: sdkConfig({ ...clientOptions, endpoint: config.s3Endpoint }) }),
    leases: createLeaseKeeper({ tableName: config.tableName, clientConfig: dynamoConfig, log, ...(leaseThreadUrl ? { threadUrl: leaseThreadUrl } : {}) }),
    dispatcher: loadDispatcher,
    tasks: createDefaultTasks(config),
    now: Date.now,
    log,
    metrics: createEmfMetrics(config.functionName),
    ...(config.jwt !== undefined ? { verifier: createJwtVerifier(config.jwt) } : {}),
    webhooks: {
      runWindowMs: deliveryWindowMs(config.callbackTimeoutMs),
      async deliverNow(ended, remainingMs) {
        const { deliverCallback } = await import('./callbacks/notify.js');
        await deliverCallback(deps, ended, { maxTries: TRIES_IN_INVOCATION, remainingMs });
      },
    },
    ...overrides,
  };
  return createHandler(deps);
}
