import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { LambdaClient } from '@aws-sdk/client-lambda';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { APIGatewayProxyResult, Context } from 'aws-lambda';
import { createDocumentClient, sdkConfig } from '../src/aws-clients.js';
import { buildHandler } from '../src/build-handler.js';
import { loadConfig, type Config, type Env } from '../src/config.js';
import type { Handler } from '../src/create-handler.js';
import { startApiGateway, type ApiGateway } from '../src/local/api-gateway.js';
import { ensureTable, startDynamo } from '../src/local/dynamo-server.js';
import { startLambdaService, type LambdaService } from '../src/local/lambda-service.js';
import { createContext, createInProcessRuntime, type InvocationMeta } from '../src/local/runtime.js';
import { LOCAL_ACCOUNT_ID, LOCAL_CREDENTIALS, LOCAL_FUNCTION_NAME, LOCAL_REGION } from '../src/local/stack.js';
import { silentLogger } from '../src/log.js';
import { silentMetrics } from '../src/metrics.js';
import { createLambdaDispatcher } from '../src/requests/dispatcher.js';
import { RequestStore } from '../src/requests/store.js';
import { startCountingProxy, type CountingProxy } from './count-proxy.js';

/** The function's memory in terraform/ (and the local stack's): what the cost figures bill. */
export const MEMORY_MB = 256;
/** The clients src/build-handler.ts builds, so the floor uses identical ones. */
const clientOptions = { region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS };

/** One execution of the function, as Lambda would bill it. */
export interface Execution {
  kind: 'submit' | 'status' | 'cancel' | 'worker' | 'other';
  requestId: string | undefined;
  billedMs: number;
}

export interface BenchStack {
  url: string;
  config: Config;
  handler: Handler;
  lambda: LambdaService;
  gateway: ApiGateway;
  /** The SDK clients the handler uses (injected), for the floor measurements. */
  doc: DynamoDBDocumentClient;
  lambdaClient: LambdaClient;
  /** A fresh Lambda context for calling the handler in-process. */
  context(): Context;
  /** Calls seen on the wire, when started with `count: true`. */
  dynamoCalls: CountingProxy['calls'];
  lambdaCalls: CountingProxy['calls'];
  executions: Execution[];
  stop(): Promise<void>;
}

const STATUS_PATH = /\/v1\/status\/([^/?]+)/;

function classify(event: any, result: unknown): Omit<Execution, 'billedMs'> {
  if (event?.action === 'process') return { kind: 'worker', requestId: event.request_id };
  if (typeof event?.httpMethod !== 'string') return { kind: 'other', requestId: undefined };
  const status = STATUS_PATH.exec(String(event.path));
  if (status) return { kind: event.httpMethod === 'DELETE' ? 'cancel' : 'status', requestId: decodeURIComponent(status[1]!) };
  try {
    return { kind: 'submit', requestId: JSON.parse((result as APIGatewayProxyResult).body).request_id };
  } catch {
    return { kind: 'other', requestId: undefined };
  }
}

/**
 * The local stack of src/local/stack.ts, assembled from the same parts, with two additions a
 * benchmark needs: counting proxies in front of DynamoDB and the Lambda Invoke API (optional, so
 * latency figures are taken without them), and a record of every execution's billed duration.
 * The handler is src/build-handler.ts's, with its SDK clients injected so floors can share them.
 */
export async function startBenchStack(options: { env: Env; count?: boolean; timeoutMs?: number }): Promise<BenchStack> {
  const dynamo = await startDynamo({});
  const dynamoProxy = options.count ? await startCountingProxy('dynamodb') : undefined;
  const lambdaProxy = options.count ? await startCountingProxy('lambda') : undefined;
  const executions: Execution[] = [];
  let handler: Handler | undefined;
  const inProcess = createInProcessRuntime((event, context) => handler!(event, context));
  const lambda = await startLambdaService({
    functionName: LOCAL_FUNCTION_NAME,
    region: LOCAL_REGION,
    accountId: LOCAL_ACCOUNT_ID,
    memoryMb: MEMORY_MB,
    timeoutMs: options.timeoutMs ?? 900_000,
    runtime: {
      async run(event, meta, usage) {
        const started = performance.now();
        let result: unknown;
        try {
          result = await inProcess.run(event, meta, usage);
          return result;
        } finally {
          // Lambda bills in 1 ms steps, rounded up.
          executions.push({ ...classify(event, result), billedMs: Math.ceil(performance.now() - started) });
        }
      },
      stop: () => inProcess.stop(),
    },
    asyncRetry: { retries: 2, delaysMs: [1000, 2000] },
    concurrency: 1000,
    log: () => {},
  });
  dynamoProxy?.setTarget(dynamo.endpoint);
  lambdaProxy?.setTarget(lambda.endpoint);
  const dynamodbEndpoint = dynamoProxy?.url ?? dynamo.endpoint;
  const lambdaEndpoint = lambdaProxy?.url ?? lambda.endpoint;
  const config = loadConfig({ ...options.env, DYNAMODB_ENDPOINT: dynamodbEndpoint, LAMBDA_ENDPOINT: lambdaEndpoint });

  const admin = new DynamoDBClient(sdkConfig({ ...clientOptions, endpoint: dynamo.endpoint }));
  await ensureTable(admin, config.tableName);
  admin.destroy();

  const doc = createDocumentClient(sdkConfig({ ...clientOptions, endpoint: dynamodbEndpoint }));
  const lambdaClient = new LambdaClient(sdkConfig({ ...clientOptions, endpoint: lambdaEndpoint }));
  const dispatcher = createLambdaDispatcher(lambdaClient);
  handler = buildHandler(config, {
    clientOptions,
    overrides: { store: new RequestStore(doc, config.tableName), dispatcher: async () => dispatcher, log: silentLogger, metrics: silentMetrics },
  });

  const gateway = await startApiGateway({
    invoke: (event) => lambda.invoke(event),
    timeoutMs: 29_000,
    stage: 'local',
    accountId: LOCAL_ACCOUNT_ID,
  });
  const meta = (): InvocationMeta => ({
    awsRequestId: crypto.randomUUID(),
    functionName: LOCAL_FUNCTION_NAME,
    invokedFunctionArn: lambda.functionArn,
    memoryLimitInMB: MEMORY_MB,
    timeoutMs: 29_000,
  });

  return {
    url: gateway.url,
    config,
    handler,
    lambda,
    gateway,
    doc,
    lambdaClient,
    context: () => createContext(meta()),
    dynamoCalls: dynamoProxy?.calls ?? [],
    lambdaCalls: lambdaProxy?.calls ?? [],
    executions,
    async stop() {
      await gateway.stop();
      await lambda.idle();
      await lambda.stop();
      doc.destroy();
      lambdaClient.destroy();
      await dynamoProxy?.stop();
      await lambdaProxy?.stop();
      await dynamo.stop();
    },
  };
}
