import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { buildHandler } from '../build-handler.js';
import { loadConfig, type Config, type Env } from '../config.js';
import type { Handler, HandlerDeps } from '../create-handler.js';
import { startApiGateway, type ApiGateway } from './api-gateway.js';
import { ensureTable, startDynamo, type DynamoServer } from './dynamo-server.js';
import { startLambdaService, type AsyncRetryPolicy, type LambdaService } from './lambda-service.js';
import { createInProcessRuntime } from './runtime.js';
import { createStaticSite } from './static-site.js';

/** Fixed identity of the local "account"; the SDK needs some region and credentials to sign with. */
export const LOCAL_REGION = 'us-east-1';
export const LOCAL_ACCOUNT_ID = '000000000000';
export const LOCAL_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' };
export const LOCAL_FUNCTION_NAME = 'async-router';
const LOCAL_MEMORY_MB = 256;
/** Lambda retries a failed async event after about one minute, then about two. */
export const LAMBDA_ASYNC_RETRY: AsyncRetryPolicy = { retries: 2, delaysMs: [60_000, 120_000] };

export interface StackOptions {
  /** The function's environment (see src/config.ts); endpoints are filled in by the stack. */
  env: Env;
  /** Port of the HTTP front; 0 picks a free one. */
  port?: number;
  /** Folder for the DynamoDB data; in memory when absent. */
  dataDir?: string;
  gatewayTimeoutMs?: number;
  lambdaTimeoutMs?: number;
  asyncRetry?: AsyncRetryPolicy;
  /** Swap handler dependencies (tasks, logger, clock) in tests. */
  handlerOverrides?: Partial<HandlerDeps>;
  /** Where the Lambda service's REPORT lines go. */
  log?: (line: string) => void;
  /** Folder served at `/` (the demo page). */
  webDir?: string;
}

export interface Stack {
  url: string;
  config: Config;
  dynamo: DynamoServer;
  lambda: LambdaService;
  gateway: ApiGateway;
  stop(): Promise<void>;
}

/** Starts DynamoDB, the Lambda service running the handler, and the HTTP front, all on loopback. */
export async function startStack(options: StackOptions): Promise<Stack> {
  const dynamo = await startDynamo(options.dataDir !== undefined ? { dir: options.dataDir } : {});
  let handler: Handler | undefined;
  const lambda = await startLambdaService({
    functionName: LOCAL_FUNCTION_NAME,
    region: LOCAL_REGION,
    accountId: LOCAL_ACCOUNT_ID,
    memoryMb: LOCAL_MEMORY_MB,
    timeoutMs: options.lambdaTimeoutMs ?? 900_000,
    // The handler needs the service's endpoint, so it is built once the service listens.
    runtime: createInProcessRuntime((event, context) => handler!(event, context)),
    asyncRetry: options.asyncRetry ?? LAMBDA_ASYNC_RETRY,
    log: options.log ?? (() => {}),
  });
  const config = loadConfig({ ...options.env, DYNAMODB_ENDPOINT: dynamo.endpoint, LAMBDA_ENDPOINT: lambda.endpoint });
  const clientOptions = { region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS };
  const admin = new DynamoDBClient({ ...clientOptions, endpoint: dynamo.endpoint });
  await ensureTable(admin, config.tableName);
  admin.destroy();
  handler = buildHandler(config, clientOptions, options.handlerOverrides);

  const gateway = await startApiGateway({
    invoke: (event) => lambda.invoke(event),
    timeoutMs: options.gatewayTimeoutMs ?? 29_000,
    stage: 'local',
    accountId: LOCAL_ACCOUNT_ID,
    ...(options.webDir !== undefined ? { site: createStaticSite(options.webDir) } : {}),
    ...(options.port !== undefined ? { port: options.port } : {}),
  });

  return {
    url: gateway.url,
    config,
    dynamo,
    lambda,
    gateway,
    async stop() {
      await gateway.stop();
      await lambda.stop();
      await dynamo.stop();
    },
  };
}
