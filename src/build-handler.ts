import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Config } from './config.js';
import { createHandler, type Handler, type HandlerDeps } from './create-handler.js';
import { createJsonLogger } from './log.js';
import type { Dispatcher } from './requests/dispatcher.js';
import { createLeaseKeeper } from './requests/lease.js';
import { RequestStore } from './requests/store.js';
import { createDefaultTasks } from './tasks/index.js';

/**
 * SDK retries, chosen rather than left to defaults: three tries with the standard backoff, and
 * timeouts short enough that a dead endpoint turns into a clear 503 well inside the 29 s cut.
 */
const SDK_MAX_ATTEMPTS = 3;
const CONNECTION_TIMEOUT_MS = 1000;
const REQUEST_TIMEOUT_MS = 3000;

/** Region and credentials for the local stack; in AWS the runtime's environment provides them. */
export interface ClientOptions {
  region?: string;
  credentials?: { accessKeyId: string; secretAccessKey: string };
}

export interface BuildOptions {
  /** Region and credentials for the local stack; in AWS the runtime's environment provides them. */
  clientOptions?: ClientOptions;
  /** Swap any dependency (tasks, logger, clock) in tests. */
  overrides?: Partial<HandlerDeps>;
  /** The lease keeper's thread module; the bundle's entry passes the one beside it. */
  leaseThreadUrl?: URL;
}

/** Builds the SDK clients and the handler for a configuration. */
export function buildHandler(config: Config, { clientOptions = {}, overrides = {}, leaseThreadUrl }: BuildOptions = {}): Handler {
  const common = {
    ...clientOptions,
    maxAttempts: SDK_MAX_ATTEMPTS,
    retryMode: 'standard',
    requestHandler: { connectionTimeout: CONNECTION_TIMEOUT_MS, requestTimeout: REQUEST_TIMEOUT_MS },
  };
  const dynamoConfig = { ...common, ...(config.dynamodbEndpoint ? { endpoint: config.dynamodbEndpoint } : {}) };
  const dynamo = DynamoDBDocumentClient.from(new DynamoDBClient(dynamoConfig), {
    marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: true },
  });
  const log = overrides.log ?? createJsonLogger();

  let dispatcher: Promise<Dispatcher> | undefined;
  const loadDispatcher = () =>
    // One dynamic import of our own module, so the bundle keeps only the Lambda client parts it uses.
    (dispatcher ??= import('./requests/dispatcher.js').then(({ createLambdaDispatcher, LambdaClient }) =>
      createLambdaDispatcher(new LambdaClient({ ...common, ...(config.lambdaEndpoint ? { endpoint: config.lambdaEndpoint } : {}) })),
    ));

  return createHandler({
    config,
    store: new RequestStore(dynamo, config.tableName),
    leases: createLeaseKeeper({ tableName: config.tableName, clientConfig: dynamoConfig, log, ...(leaseThreadUrl ? { threadUrl: leaseThreadUrl } : {}) }),
    dispatcher: loadDispatcher,
    tasks: createDefaultTasks(config),
    now: Date.now,
    log,
    ...overrides,
  });
}
