import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError, LOCAL_PORT_OFFSETS, LOCAL_TABLE_NAME, loadLocalConfig } from '../config.js';
import { DataDirInUseError } from './data-dir-lock.js';
import { PortInUseError } from './listen.js';
import { SECRETS } from './secret.js';
import { LOCAL_CREDENTIALS, LOCAL_FUNCTION_NAME, LOCAL_REGION, startStack, type Stack } from './stack.js';
import { createTerminalLog } from './terminal-log.js';

/**
 * Each execution environment is a real Node.js process here, so the machine runs a bounded number:
 * up to 8 for background work (a further `Event` waits) and 4 for API calls (a further call shares
 * one, so held long-polls never hold up the next call). Lambda's own concurrency stays at the
 * account default, as the deployment leaves it unreserved.
 */
const LOCAL_LANES = { events: 8, sync: 4 };

/** The variable that moves each local service's port. */
const PORT_VARIABLES: Record<string, keyof typeof LOCAL_PORT_OFFSETS> = { DynamoDB: 'DYNAMODB_PORT', Lambda: 'LAMBDA_PORT', S3: 'S3_PORT', Issuer: 'OIDC_PORT' };

const FRONT_NAMES = { rest: 'REST API', function_url: 'function URL', http_api: 'HTTP API' } as const;

/** How callers identify themselves to this stack, for the banner. */
function signInLines({ config, issuer }: Stack): string {
  if (config.jwt === undefined) return `  Sign-in   AUTH=${config.auth}: no token needed; AUTH=jwt npm start runs a local token issuer`;
  const lines = [`  Sign-in   AUTH=jwt: every call needs Authorization: Bearer <token> from ${config.jwt.issuer} (audience ${config.jwt.audience})`];
  if (issuer !== undefined) {
    lines.push(
      `            a token for any user:  curl -s -X POST ${issuer.tokenEndpoint} -H 'Content-Type: application/json' -d '{"sub":"alice"}'`,
      `            or:  npx async-request-router token --sub alice;  then  GET /v1/requests lists that user's requests`,
    );
  }
  return lines.join('\n');
}

/** `npm start`: the whole service on this machine, no AWS account needed. */
async function main(): Promise<void> {
  // The SDK warns once per process that it will soon need Node 22: noise for a local tool.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const local = loadLocalConfig(process.env);
  const webDir = ['dist/web', 'src/web'].find((dir) => existsSync(join(dir, 'index.html')));
  const stack = await startStack({
    // Local defaults under whatever the caller set; the config module validates the result.
    // Endpoints from the caller's shell are dropped: `npm start` always uses its own servers.
    // The function is told its own timeout, as Terraform tells it in AWS.
    env: { REQUESTS_TABLE: LOCAL_TABLE_NAME, ...process.env, DYNAMODB_ENDPOINT: undefined, LAMBDA_ENDPOINT: undefined, FUNCTION_TIMEOUT_SECONDS: String(local.lambdaTimeoutSeconds) },
    port: local.port,
    ports: local.ports,
    dataDir: local.dataDir,
    gatewayTimeoutMs: local.gatewayTimeoutMs,
    front: local.front,
    lambdaTimeoutMs: local.lambdaTimeoutSeconds * 1000,
    log: createTerminalLog(local.logLevel),
    // The built bundle in killable child processes, and the async events a hard kill lost re-sent.
    runtime: 'sandbox',
    lanes: LOCAL_LANES,
    recover: true,
    sweepIntervalMs: local.sweepIntervalMs,
    ...(webDir !== undefined ? { webDir } : {}),
    ...(local.localIssuer ? { localIssuer: { port: local.ports.oidc } } : {}),
  });

  console.log(`
async-router is running (data in ${local.dataDir}, task pace DEMO_TASK_MS=${stack.config.demoTaskMs}, front: ${FRONT_NAMES[local.front]})

  API base URL  ${stack.url}   (for clients, check --url and the OpenAPI document's server)
  Demo      ${stack.url}/
  Try it    curl -i -X POST ${stack.url}/v1/invoke -H 'Content-Type: application/json' \\
              -d '{"prompt":"Serverless functions scale to zero. They are cheap when idle."}'
            then poll the Location header it returns.

  DynamoDB  ${stack.dynamo.endpoint}   (table ${stack.config.tableName})
  Lambda    ${stack.lambda.endpoint}   (function ${LOCAL_FUNCTION_NAME})
  S3        ${stack.s3.endpoint}   (bucket ${stack.config.resultsBucket}, path-style)
  Webhooks  signed with each tenant's secret from GET /v1/webhook-secret, derived from ${process.env.WEBHOOK_SECRET ? 'WEBHOOK_SECRET' : `the one kept in ${join(local.dataDir, SECRETS.webhook.file)}`}; the sweeper runs every ${local.sweepIntervalMs / 1000} s
            e.g. AWS_ACCESS_KEY_ID=${LOCAL_CREDENTIALS.accessKeyId} AWS_SECRET_ACCESS_KEY=${LOCAL_CREDENTIALS.secretAccessKey} AWS_REGION=${LOCAL_REGION} \\
                 aws dynamodb scan --table-name ${stack.config.tableName} --endpoint-url ${stack.dynamo.endpoint}
  Logs      ${local.logLevel === 'debug' ? 'everything (LOG_LEVEL=debug)' : 'one line per request event; LOG_LEVEL=debug prints every log line'}
${signInLines(stack)}

Ctrl-C stops everything.`);

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`\n${signal}: stopping…`);
    await stack.stop();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
}

main().catch((error: unknown) => {
  // What went wrong, in a sentence: a stack trace helps nobody starting the demo.
  if (error instanceof ConfigError) {
    console.error(`Configuration error: ${error.message}`);
  } else if (error instanceof DataDirInUseError) {
    console.error(error.message);
  } else if (error instanceof PortInUseError) {
    const variable = PORT_VARIABLES[error.service];
    const fix = variable === undefined ? 'Set PORT to a free port' : `Set ${variable} to a free port, or PORT to move all four (${variable} defaults to PORT+${LOCAL_PORT_OFFSETS[variable]})`;
    console.error(`Port in use: ${error.message}. ${fix}, e.g. PORT=3010 npm start`);
  } else {
    console.error(`Could not start: ${error instanceof Error ? error.message : String(error)}`);
  }
  process.exit(1);
});
