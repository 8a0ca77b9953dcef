import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { sdkConfig } from '../aws-clients.js';
import { buildHandler } from '../build-handler.js';
import { DEPLOYED_ENV_VARS, GATEWAY_TIMEOUT_MS, LAMBDA_MAX_TIMEOUT_S, PLAIN_SECRET_ENV_VARS, TUNING_ENV_VARS, type Config, type Env } from '../config.js';
import { loadConfigWithSecrets } from '../secrets.js';
import type { Handler } from '../create-handler.js';
import { withStreaming, type StreamingHandler } from '../streaming.js';
import { awslambda } from './lambda-streaming.mjs';
import type { HandlerDeps } from '../handler-deps.js';
import { startApiGateway, type ApiGateway, type Front } from './api-gateway.js';
import { ensureTable, startDynamo, type DynamoServer } from './dynamo-server.js';
import { startLambdaService, type AsyncRetryPolicy, type LambdaService } from './lambda-service.js';
import { createInProcessRuntime, type FunctionRuntime } from './runtime.js';
import { createSandboxRuntime, type SandboxRuntime } from './sandbox-runtime.js';
import { recoverInFlight, type Recovery } from './recovery.js';
import { lockDataDir } from './data-dir-lock.js';
import { startOnPort } from './listen.js';
import { S3_CREDENTIALS, S3_REGION, startS3, type S3Server } from './s3-server.js';
import { SECRETS, loadOrCreateSecret, type Secret } from './secret.js';
import { startSsm, type SsmServer } from './ssm-server.js';
import { createJwtVerifier } from '../auth/jwt-verifier.js';
import { LOCAL_AUDIENCE, startOidcIssuer, type OidcIssuer } from './oidc-issuer.js';
import { createStaticSite } from './static-site.js';
import { demoConfig, type DemoConfig } from './demo-config.js';

/** Fixed identity of the local "account"; the SDK needs some region and credentials to sign with. */
export const LOCAL_REGION = S3_REGION;
export const LOCAL_ACCOUNT_ID = '000000000000';
/** The local S3 accepts this key pair only; dynalite and the local Lambda service take any. */
export const LOCAL_CREDENTIALS = S3_CREDENTIALS;
export const LOCAL_FUNCTION_NAME = 'async-router';
/** The results bucket the local stack creates when RESULTS_BUCKET names none. */
export const LOCAL_RESULTS_BUCKET = 'async-router-results';
const LOCAL_MEMORY_MB = 256;
/** Lambda retries a failed async event after about one minute, then about two. */
export const LAMBDA_ASYNC_RETRY: AsyncRetryPolicy = { retries: 2, delaysMs: [60_000, 120_000] };
/** Lambda's default account quota: a function with no reserved concurrency may use this many. */
export const ACCOUNT_CONCURRENCY = 1000;

export interface StackOptions {
  /** The function's environment (see src/config.ts); endpoints are filled in by the stack. */
  env: Env;
  /** Port of the HTTP front; 0 picks a free one. */
  port?: number;
  /** Ports of the local DynamoDB, Lambda and S3; free ones when absent. */
  ports?: { dynamodb: number; lambda: number; s3: number };
  /** Folder for the deployment's data (DynamoDB's files, the request-id secret); in memory when absent. */
  dataDir?: string;
  gatewayTimeoutMs?: number;
  /** Which AWS front the HTTP front plays: the REST API (default), a function URL, or an HTTP API (with AUTH=jwt, verifying tokens at the front as its JWT authorizer does). */
  front?: Front;
  lambdaTimeoutMs?: number;
  asyncRetry?: AsyncRetryPolicy;
  /** Swap handler dependencies (tasks, logger, clock) in tests. */
  handlerOverrides?: Partial<HandlerDeps>;
  /** Where the Lambda service's REPORT lines go. */
  log?: (line: string) => void;
  /** Folder served at `/` (the demo page). */
  webDir?: string;
  /**
   * Where the function runs: `in-process` (the default; needed for `handlerOverrides`) or `sandbox`,
   * the built bundle in child processes that a timeout or {@link SandboxRuntime.killAll} really kills.
   */
  runtime?: 'in-process' | 'sandbox';
  /** Concurrent executions; {@link ACCOUNT_CONCURRENCY} when absent. */
  concurrency?: number;
  /** Executions this machine runs at once for background work and for API calls; beyond, they wait. */
  lanes?: { events: number; sync: number };
  /** Sandbox only: the module to run instead of the built bundle (a test fixture). */
  sandboxModule?: string;
  /** Sandbox only: how long an idle execution environment is kept warm. */
  sandboxIdleTtlMs?: number;
  /** Re-invoke requests left pending or processing by a previous run (see recovery.ts). */
  recover?: boolean;
  /** Send the function `{"action":"sweep"}` this often, as the schedule does in AWS; never when absent. */
  sweepIntervalMs?: number;
  /** Invocations in one chain before Lambda's loop detection stops the next; Lambda's 16 when absent. */
  recursionLimit?: number;
  /** Run a local OIDC issuer on this port (0: any free one) and have the function verify its tokens (AUTH=jwt). */
  localIssuer?: { port: number };
}

export interface Stack {
  url: string;
  config: Config;
  dynamo: DynamoServer;
  s3: S3Server;
  /** Holds the secrets the stack keeps, as SSM holds a deployment's; the function reads them at cold start. */
  ssm: SsmServer;
  lambda: LambdaService;
  gateway: ApiGateway;
  /** The execution environments when `runtime: 'sandbox'`; tests kill them to simulate a crash. */
  sandbox: SandboxRuntime | undefined;
  /** What recovery found at start, when `recover` was set. */
  recovery: Recovery | undefined;
  /** The local token issuer, when `localIssuer` was set. */
  issuer: OidcIssuer | undefined;
  /** What the demo page reads at `/config.json`: how this stack wants callers identified. */
  demo: DemoConfig;
  /** Sends one `{"action":"sweep"}` now, asynchronously, as the schedule does. */
  sweep(): void;
  stop(): Promise<void>;
}

/**
 * The environment Lambda gives the function: its configured variables (what Terraform sets, plus
 * the tuning knobs), the local endpoints, and what the runtime adds. Nothing else leaks in.
 */
export function functionEnvironment(env: Env, endpoints: { dynamodb: string; lambda: string; s3: string; ssm: string }, memoryMb: number): Record<string, string> {
  const result: Record<string, string> = {};
  for (const name of [...DEPLOYED_ENV_VARS, ...TUNING_ENV_VARS, ...PLAIN_SECRET_ENV_VARS]) {
    const value = env[name];
    if (value !== undefined) result[name] = value;
  }
  return {
    ...result,
    ...(env.CALLBACK_ALLOW_LOOPBACK !== undefined ? { CALLBACK_ALLOW_LOOPBACK: env.CALLBACK_ALLOW_LOOPBACK } : {}),
    DYNAMODB_ENDPOINT: endpoints.dynamodb,
    LAMBDA_ENDPOINT: endpoints.lambda,
    S3_ENDPOINT: endpoints.s3,
    SSM_ENDPOINT: endpoints.ssm,
    AWS_REGION: LOCAL_REGION,
    AWS_DEFAULT_REGION: LOCAL_REGION,
    AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
    AWS_LAMBDA_FUNCTION_NAME: LOCAL_FUNCTION_NAME,
    AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(memoryMb),
    AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs22.x',
    // The SDK warns once per process that it will soon need Node 22: noise here, where this
    // machine's Node runs what Lambda runs on Node 22.
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    TZ: ':UTC',
    LANG: 'en_US.UTF-8',
    PATH: '/usr/local/bin:/usr/bin:/bin',
  };
}

interface Stoppable {
  stop(): Promise<void>;
}

/** Starts one service of the stack; when it fails, stops those already running, newest first, so nothing is left listening. */
async function startService<T extends Stoppable>(running: Stoppable[], service: string, port: number, start: () => Promise<T>): Promise<T> {
  try {
    const started = await startOnPort(service, port, start);
    running.push(started);
    return started;
  } catch (error) {
    for (const earlier of running.reverse()) await earlier.stop();
    throw error;
  }
}

/**
 * Each local deployment has its own secrets in its SSM, as each Terraform deployment does (a data
 * folder keeps them), and the function is given their parameters' names. A secret the caller
 * gives directly (a test) or by a parameter of its own is left as given. Answers the SSM and the
 * function's environment.
 */
async function startSecrets(options: StackOptions, running: Stoppable[], bucket: string, issuer: OidcIssuer | undefined): Promise<{ ssm: SsmServer; env: Env }> {
  const kept = Object.values(SECRETS).filter((kind) => options.env[kind.env] === undefined && options.env[`${kind.env}_PARAMETER`] === undefined);
  const value = (kind: Secret) => (options.dataDir !== undefined ? loadOrCreateSecret(options.dataDir, kind) : kind.make());
  const ssm = await startSsm(Object.fromEntries(kept.map((kind) => [kind.parameter, value(kind)])));
  running.push(ssm);
  const env: Env = {
    ...options.env,
    // The function verifies the local issuer's tokens as it would Cognito's in AWS.
    ...(issuer !== undefined ? { AUTH: 'jwt', JWT_ISSUER: issuer.issuer, JWT_AUDIENCE: options.env.JWT_AUDIENCE ?? LOCAL_AUDIENCE } : {}),
    ...Object.fromEntries(kept.map((kind) => [`${kind.env}_PARAMETER`, kind.parameter])),
    RESULTS_BUCKET: bucket,
    // Receivers here are on this machine, over plain http; in AWS this is never on.
    CALLBACK_ALLOW_LOOPBACK: options.env.CALLBACK_ALLOW_LOOPBACK ?? 'true',
  };
  return { ssm, env };
}

/** The HTTP front (API Gateway, or a function URL) before the Lambda service. */
function startFront(options: StackOptions, config: Config, lambda: LambdaService, demo: DemoConfig): Promise<ApiGateway> {
  return startApiGateway({
    invoke: (event, sink) => lambda.invoke(event, sink),
    // A function URL has no integration timeout of its own: it waits as long as the function runs.
    timeoutMs: options.front === 'function_url' ? (options.lambdaTimeoutMs ?? LAMBDA_MAX_TIMEOUT_S * 1000) : (options.gatewayTimeoutMs ?? GATEWAY_TIMEOUT_MS),
    ...(options.front !== undefined ? { front: options.front } : {}),
    // An HTTP API's JWT authorizer verifies at the front, as AWS's does.
    ...(options.front === 'http_api' && config.jwt !== undefined ? { jwtAuthorizer: createJwtVerifier(config.jwt) } : {}),
    stage: 'local',
    accountId: LOCAL_ACCOUNT_ID,
    ...(options.webDir !== undefined ? { site: createStaticSite(options.webDir, { '/config.json': demo }) } : {}),
    ...(options.port !== undefined ? { port: options.port } : {}),
  });
}

/** Re-invokes what was in flight when the stack last stopped (see recovery.ts). */
function recover(config: Config, dynamo: DynamoServer, lambda: LambdaService, log: (line: string) => void): Promise<Recovery> {
  return recoverInFlight({
    tableName: config.tableName,
    functionName: LOCAL_FUNCTION_NAME,
    dynamodbEndpoint: dynamo.endpoint,
    lambdaEndpoint: lambda.endpoint,
    region: LOCAL_REGION,
    credentials: LOCAL_CREDENTIALS,
    log,
  });
}

async function startIssuer(options: StackOptions, running: Stoppable[]): Promise<OidcIssuer | undefined> {
  const wanted = options.localIssuer;
  if (wanted === undefined) return undefined;
  return startService(running, 'Issuer', wanted.port, () =>
    startOidcIssuer({ port: wanted.port, ...(options.dataDir !== undefined ? { dataDir: options.dataDir } : {}) }),
  );
}

/** Starts DynamoDB, the Lambda service running the handler, and the HTTP front, all on loopback. */
export async function startStack(options: StackOptions): Promise<Stack> {
  const unlock = options.dataDir !== undefined ? lockDataDir(options.dataDir) : () => {};
  const ports = options.ports ?? { dynamodb: 0, lambda: 0, s3: 0 };
  const running: Stoppable[] = [{ stop: async () => unlock() }];
  const dynamo = await startService(running, 'DynamoDB', ports.dynamodb, () =>
    startDynamo({ port: ports.dynamodb, ...(options.dataDir !== undefined ? { dir: join(options.dataDir, 'dynamodb') } : {}) }),
  );
  const bucket = options.env.RESULTS_BUCKET ?? LOCAL_RESULTS_BUCKET;
  const s3 = await startService(running, 'S3', ports.s3, () =>
    startS3({ bucket, port: ports.s3, ...(options.dataDir !== undefined ? { dir: join(options.dataDir, 's3') } : {}) }),
  );
  const issuer = await startIssuer(options, running);
  const { ssm, env } = await startSecrets(options, running, bucket, issuer);
  let handler: Handler | StreamingHandler | undefined;
  let sandbox: SandboxRuntime | undefined;
  const log = options.log ?? (() => {});
  // Both runtimes need the service's endpoint, so they are completed once the service listens.
  const runtime: FunctionRuntime =
    options.runtime === 'sandbox'
      ? { run: (event, meta, usage, sink) => sandbox!.run(event, meta, usage, sink), stop: async () => sandbox?.stop() }
      : createInProcessRuntime(() => handler!, true);
  const lambda = await startService(running, 'Lambda', ports.lambda, () => startLambdaService({
    functionName: LOCAL_FUNCTION_NAME,
    region: LOCAL_REGION,
    accountId: LOCAL_ACCOUNT_ID,
    memoryMb: LOCAL_MEMORY_MB,
    timeoutMs: options.lambdaTimeoutMs ?? LAMBDA_MAX_TIMEOUT_S * 1000,
    runtime,
    asyncRetry: options.asyncRetry ?? LAMBDA_ASYNC_RETRY,
    concurrency: options.concurrency ?? ACCOUNT_CONCURRENCY,
    ...(options.recursionLimit !== undefined ? { recursionLimit: options.recursionLimit } : {}),
    ...(options.lanes !== undefined ? { lanes: options.lanes } : {}),
    port: ports.lambda,
    log,
  }));
  // A test may point the handler at another endpoint (say, a closed port) to make dispatch fail for real.
  const clientOptions = { region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS };
  const config = await loadConfigWithSecrets(
    {
      ...env,
      DYNAMODB_ENDPOINT: env.DYNAMODB_ENDPOINT ?? dynamo.endpoint,
      LAMBDA_ENDPOINT: env.LAMBDA_ENDPOINT ?? lambda.endpoint,
      S3_ENDPOINT: env.S3_ENDPOINT ?? s3.endpoint,
      SSM_ENDPOINT: env.SSM_ENDPOINT ?? ssm.endpoint,
    },
    clientOptions,
  );
  const admin = new DynamoDBClient(sdkConfig({ ...clientOptions, endpoint: dynamo.endpoint }));
  await ensureTable(admin, config.tableName);
  admin.destroy();
  if (options.runtime === 'sandbox') {
    sandbox = createSandboxRuntime({
      env: functionEnvironment(env, { dynamodb: dynamo.endpoint, lambda: lambda.endpoint, s3: s3.endpoint, ssm: ssm.endpoint }, LOCAL_MEMORY_MB),
      memoryMb: LOCAL_MEMORY_MB,
      log,
      ...(options.sandboxModule !== undefined ? { modulePath: options.sandboxModule } : {}),
      ...(options.sandboxIdleTtlMs !== undefined ? { idleTtlMs: options.sandboxIdleTtlMs } : {}),
    });
  } else {
    // As Lambda runs the bundle's entry point (handler.ts): streaming, with the runtime's `awslambda`.
    handler = withStreaming(buildHandler(config, { clientOptions, ...(options.handlerOverrides ? { overrides: options.handlerOverrides } : {}) }), awslambda);
  }
  const recovery = options.recover ? await recover(config, dynamo, lambda, log) : undefined;

  running.push({ stop: async () => recovery?.cancel() });
  const demo = demoConfig(config, issuer);
  const gateway = await startService(running, 'API', options.port ?? 0, () => startFront(options, config, lambda, demo));

  const sweep = () => lambda.invokeAsync({ action: 'sweep' });
  const sweepTimer = options.sweepIntervalMs !== undefined ? setInterval(sweep, options.sweepIntervalMs) : undefined;
  sweepTimer?.unref();

  return {
    url: gateway.url,
    config,
    dynamo,
    s3,
    ssm,
    lambda,
    gateway,
    sandbox,
    recovery,
    issuer,
    demo,
    sweep,
    async stop() {
      clearInterval(sweepTimer);
      recovery?.cancel();
      await gateway.stop();
      await lambda.stop();
      await dynamo.stop();
      await s3.stop();
      await ssm.stop();
      await issuer?.stop();
      unlock();
    },
  };
}
