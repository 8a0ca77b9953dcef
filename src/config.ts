/**
 * Every environment variable the project reads, parsed and validated here and nowhere else.
 * A wrong value stops the process at start with the variable's name and the reason.
 */

import { issuerUrlProblem } from './auth/issuer-url.js';
import { AuthMode } from './auth/principal.js';
import { WEBHOOK_RUN_HEADROOM_MS } from './callbacks/schedule.js';

/** Variables the deployed function reads; Terraform's `aws_lambda_function` sets exactly these. */
export const DEPLOYED_ENV_VARS = [
  'REQUESTS_TABLE',
  'REQUEST_TTL_SECONDS',
  'REQUEST_DEADLINE_SECONDS',
  'MAX_ATTEMPTS',
  'CORS_ALLOW_ORIGINS',
  'DEMO_TASK_MS',
  'REQUEST_ID_SECRET_PARAMETER',
  'RESULTS_BUCKET',
  'RESULT_URL_SECONDS',
  'MAX_OUTPUT_BYTES',
  'WEBHOOK_SECRET_PARAMETER',
  'CALLBACK_ALLOWED_HOSTS',
  'CALLBACK_MAX_ATTEMPTS',
  'CALLBACK_TIMEOUT_MS',
  'FUNCTION_TIMEOUT_SECONDS',
  'CONTINUATION_CHAIN_MAX',
  'AUTH',
  'JWT_ISSUER',
  'JWT_AUDIENCE',
] as const;

/** Tuning knobs with safe defaults; not set by Terraform, available for experiments and tests. */
export const TUNING_ENV_VARS = [
  'WORKER_LEASE_SECONDS',
  'PROGRESS_INTERVAL_MS',
  'LONG_POLL_INTERVAL_MS',
  'INLINE_RESULT_MAX_BYTES',
  'DEMO_REPORT_MB',
  'SWEEP_GRACE_SECONDS',
  'SWEEP_BATCH',
  'STEP_BUDGET_SECONDS',
  'CHECKPOINT_INLINE_MAX_BYTES',
  'MAX_FILES',
] as const;

/** Variables Lambda's runtime sets for every function. */
export const RUNTIME_ENV_VARS = ['AWS_LAMBDA_FUNCTION_NAME'] as const;

/**
 * The secrets' values given directly, for the local stack and tests only: a deployed function's
 * environment is readable with lambda:GetFunctionConfiguration, so Terraform sets the
 * `*_PARAMETER` names instead and the function reads the values from SSM (src/secrets.ts).
 */
export const PLAIN_SECRET_ENV_VARS = ['REQUEST_ID_SECRET', 'WEBHOOK_SECRET'] as const;

/** Variables the `async-request-router` CLI reads. */
export const CLI_ENV_VARS = ['ASYNC_ROUTER_URL', 'ASYNC_ROUTER_API_KEY', 'ASYNC_ROUTER_TOKEN', 'ASYNC_ROUTER_ISSUER'] as const;

/** Variables only the local stack reads (the AWS runtime provides its own endpoints). */
export const LOCAL_ENV_VARS = [
  'PORT',
  'DATA_DIR',
  'DYNAMODB_ENDPOINT',
  'LAMBDA_ENDPOINT',
  'S3_ENDPOINT',
  'SSM_ENDPOINT',
  'CALLBACK_ALLOW_LOOPBACK',
  'SWEEP_INTERVAL_MS',
  'GATEWAY_TIMEOUT_MS',
  'FRONT',
  'LAMBDA_TIMEOUT_S',
  'DYNAMODB_PORT',
  'LAMBDA_PORT',
  'S3_PORT',
  'OIDC_PORT',
  'LOG_LEVEL',
] as const;

/** The DynamoDB attribute that holds the TTL (epoch seconds); Terraform enables TTL on it. */
export const TTL_ATTRIBUTE = 'expires_at';

type EnvName =
  | (typeof DEPLOYED_ENV_VARS)[number]
  | (typeof TUNING_ENV_VARS)[number]
  | (typeof PLAIN_SECRET_ENV_VARS)[number]
  | (typeof LOCAL_ENV_VARS)[number]
  | (typeof RUNTIME_ENV_VARS)[number]
  | (typeof CLI_ENV_VARS)[number];

export type Env = Readonly<Record<string, string | undefined>>;

/** What the handler needs to run, in AWS or locally. */
export interface Config {
  tableName: string;
  ttlSeconds: number;
  deadlineSeconds: number;
  maxAttempts: number;
  corsAllowOrigins: '*' | readonly string[];
  demoTaskMs: number;
  /** Keys the MAC that turns an Idempotency-Key into a request id, so nobody can compute one. */
  requestIdSecret: string;
  leaseSeconds: number;
  progressIntervalMs: number;
  longPollIntervalMs: number;
  /** The bucket for results too large for the item and for the files tasks write; none: neither is possible. */
  resultsBucket: string | undefined;
  /** How long a presigned URL in a view works (never past the request's expiry). */
  resultUrlSeconds: number;
  /** The most one request may write to the bucket, result, files and bucket checkpoints together, over all its invocations. */
  maxOutputBytes: number;
  /** Files one request may write (names; a file written again counts once): each is a presigned URL in its view. */
  maxFiles: number;
  /** A result whose JSON is larger goes to the bucket, the view pointing at it. */
  inlineResultMaxBytes: number;
  /** The size of the `report` demo task's file. */
  demoReportMb: number;
  /** Signs completion webhooks (Standard Webhooks, `whsec_…`); none: `callback_url` is refused. */
  webhookSecret: string | undefined;
  /** Hosts a `callback_url` may name (`api.example.com`, `*.example.com`); empty: any public host. */
  callbackAllowedHosts: readonly string[];
  /** Deliveries of one webhook before it is given up as failed. */
  callbackMaxAttempts: number;
  callbackTimeoutMs: number;
  /** The function's own timeout (Lambda does not tell it; Terraform and `npm start` do); unknown: not checked. */
  functionTimeoutSeconds: number | undefined;
  /** Plain http and loopback addresses for callbacks: only the local stack turns this on. */
  callbackAllowLoopback: boolean;
  /** A pending request no worker claimed within this long is dispatched again by the sweeper. */
  sweepGraceSeconds: number;
  /** Requests one sweep looks at, at most. */
  sweepBatch: number;
  /** A step starts in this invocation only with at least this long left; else the request continues in a fresh one. */
  stepBudgetSeconds: number;
  /** A step's result up to this size is checkpointed in the item; a larger one goes to the results bucket. */
  checkpointInlineMaxBytes: number;
  /** Continuations that invoke the function directly, one after another, before one is left to the sweeper (see lambda-chain.ts). */
  continuationChainMax: number;
  /** The function's name, as its metrics' FunctionName dimension. */
  functionName: string;
  /** Which identity every call must carry (see src/auth/principal.ts). */
  auth: AuthMode;
  /** With `auth` jwt: the issuer and audience every user token must name; the function verifies bearer tokens against them. */
  jwt: JwtSettings | undefined;
  /** Set only by the local stack; undefined in AWS, where the SDK finds the regional endpoint. */
  dynamodbEndpoint: string | undefined;
  lambdaEndpoint: string | undefined;
  s3Endpoint: string | undefined;
}

/** The token issuer a `jwt` deployment trusts, and its own audience. */
export interface JwtSettings {
  /** The `iss` of every token, an https URL (http only on loopback); its OIDC discovery document names the keys. */
  issuer: string;
  /** The `aud` every token must carry, so a token meant for another deployment or app is refused. */
  audience: string;
}

/** A secret's value, as read from SSM by the variable that names its parameter. */
export type LoadedSecrets = Partial<Record<(typeof PLAIN_SECRET_ENV_VARS)[number], string>>;

/** Where the function reads its secrets: the SSM parameter behind each one, when named. */
export interface SecretParameters {
  /** Parameter names by the secret they hold; a secret given directly (or not at all) has none. */
  names: LoadedSecrets;
  /** Set only by the local stack; undefined in AWS, where the SDK finds the regional endpoint. */
  ssmEndpoint: string | undefined;
}

/** The `async-request-router` CLI's settings. */
export interface CliConfig {
  /** `ASYNC_ROUTER_URL`, else the local stack's address. */
  url: string;
  /** `ASYNC_ROUTER_API_KEY`, sent as `x-api-key` when set. */
  apiKey: string | undefined;
  /** `ASYNC_ROUTER_TOKEN`, sent as `Authorization: Bearer` when set. */
  token?: string | undefined;
  /** `ASYNC_ROUTER_ISSUER`: the local issuer `token` asks; else the one beside a loopback `url`. */
  issuer?: string | undefined;
}

/** Settings of the local stack (`npm start`), on top of {@link Config}. */
export interface LocalConfig {
  port: number;
  dataDir: string;
  gatewayTimeoutMs: number;
  /** The AWS front the local one plays: `rest` (the REST API), `function_url` or `http_api` (with AUTH=jwt, its JWT authorizer verifies tokens at the front). */
  front: 'rest' | 'function_url' | 'http_api';
  lambdaTimeoutSeconds: number;
  /** How often the local stack sends the function `{"action":"sweep"}`, as the schedule does in AWS. */
  sweepIntervalMs: number;
  /** The local services' ports: PORT+1, +2, +3 (+4 the token issuer) unless set, so saved AWS CLI commands keep working. */
  ports: { dynamodb: number; lambda: number; s3: number; oidc: number };
  /** AUTH=jwt without a JWT_ISSUER of the caller's own: the stack runs a local OIDC issuer and points the function at it. */
  localIssuer: boolean;
  /** `info`: one line per request event; `debug`: every log line (JSON, metrics, START/END/REPORT). */
  logLevel: 'info' | 'debug';
}

/** Thrown at start when a variable is missing or wrong; the message names it. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

const SECONDS_PER_DAY = 86_400;
const GIB = 1024 ** 3;
const DEFAULT_MAX_FILES = 100;
/**
 * The most MAX_FILES may be: a view (and a webhook) lists a presigned URL for each file, up to 5 KB
 * with the longest name and a session token as long as STS makes them, and stays under 1 MB
 * whatever the task wrote (`npm run bench:view` builds the largest), far from Lambda's 6 MB.
 */
export const MAX_FILES_CEILING = 100;
/** Lambda's longest timeout, which the deployment uses and the local stack copies. */
export const LAMBDA_MAX_TIMEOUT_S = 900;
/** API Gateway's integration timeout: the wall this project exists for. */
export const GATEWAY_TIMEOUT_MS = 29_000;
/** The table `npm start` uses when REQUESTS_TABLE is not set. */
export const LOCAL_TABLE_NAME = 'async-router-requests';
/** Where the local stack serves, and where the CLI looks when told nothing else. */
export const LOCAL_PORT = 3000;
/** Lambda async invocations are tried at most three times (one call, two retries). */
const LAMBDA_MAX_ASYNC_ATTEMPTS = 3;
/** 32 characters of a random secret carry well over 128 bits. */
const MIN_SECRET_CHARS = 32;

function raw(env: Env, name: EnvName): string | undefined {
  const value = env[name];
  return value === undefined || value.trim() === '' ? undefined : value.trim();
}

function integer(env: Env, name: EnvName, fallback: number, min: number, max: number): number {
  const text = raw(env, name);
  if (text === undefined) return fallback;
  if (!/^\d+$/.test(text)) throw new ConfigError(`${name} must be a whole number, got "${text}"`);
  const value = Number(text);
  if (value < min || value > max) {
    throw new ConfigError(`${name} must be between ${min} and ${max}, got ${value}`);
  }
  return value;
}

function oneOf<const Value extends string>(env: Env, name: EnvName, values: readonly Value[], fallback: Value): Value {
  const text = raw(env, name);
  if (text === undefined) return fallback;
  if (!(values as readonly string[]).includes(text)) throw new ConfigError(`${name} must be one of ${values.join(', ')}, got "${text}"`);
  return text as Value;
}

/** S3's bucket naming rules, the common ones: 3-63 lower-case letters, digits, dots and hyphens. */
const BUCKET_NAME = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

function bucket(env: Env, name: EnvName): string | undefined {
  const text = raw(env, name);
  if (text !== undefined && !BUCKET_NAME.test(text)) throw new ConfigError(`${name} is not a valid S3 bucket name: "${text}"`);
  return text;
}

/** Standard Webhooks secrets: `whsec_` and the base64 of 24 to 64 random bytes. */
const WEBHOOK_SECRET = /^whsec_[A-Za-z0-9+/]{32,88}={0,2}$/;

/** A secret's value, as read from its parameter or given directly, and how to name it in an error. */
function secret(env: Env, loaded: LoadedSecrets, name: (typeof PLAIN_SECRET_ENV_VARS)[number]): { value: string | undefined; label: string } {
  const parameter = raw(env, `${name}_PARAMETER`);
  if (parameter === undefined) return { value: raw(env, name), label: name };
  return { value: loaded[name]?.trim() || undefined, label: `${name} (the SSM parameter ${name}_PARAMETER names, ${parameter})` };
}

function webhookSecret(env: Env, loaded: LoadedSecrets): string | undefined {
  const { value, label } = secret(env, loaded, 'WEBHOOK_SECRET');
  if (value !== undefined && !WEBHOOK_SECRET.test(value)) {
    throw new ConfigError(`${label} must be "whsec_" and the base64 of 24-64 random bytes (Terraform provisions one)`);
  }
  return value;
}

/** An SSM parameter name: letters, digits and `_.-/`, a path starting with `/` (AWS's own rules). */
const PARAMETER_NAME = /^\/?[A-Za-z0-9_.\-/]{1,1011}$/;

/** Reads which SSM parameters hold the secrets; a secret is named by its parameter or given directly, never both. */
export function loadSecretParameters(env: Env): SecretParameters {
  const names: LoadedSecrets = {};
  for (const name of PLAIN_SECRET_ENV_VARS) {
    const parameter = raw(env, `${name}_PARAMETER`);
    if (parameter === undefined) continue;
    if (!PARAMETER_NAME.test(parameter)) throw new ConfigError(`${name}_PARAMETER must be an SSM parameter name like /async-router/${name.toLowerCase().replaceAll('_', '-')}, got "${parameter}"`);
    if (raw(env, name) !== undefined) throw new ConfigError(`${name} and ${name}_PARAMETER are both set: set one (Terraform sets the parameter)`);
    names[name] = parameter;
  }
  return { names, ssmEndpoint: url(env, 'SSM_ENDPOINT') };
}

const HOST_PATTERN = /^(\*\.)?[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$/;

function hostList(env: Env, name: EnvName): readonly string[] {
  const list = (raw(env, name) ?? '').split(',').map((host) => host.trim().toLowerCase()).filter(Boolean);
  for (const host of list) {
    if (!HOST_PATTERN.test(host)) throw new ConfigError(`${name} must list host names like api.example.com or *.example.com, got "${host}"`);
  }
  return list;
}

function flag(env: Env, name: EnvName): boolean {
  const text = raw(env, name);
  if (text === undefined || text === 'false') return false;
  if (text === 'true') return true;
  throw new ConfigError(`${name} must be true or false, got "${text}"`);
}

function url(env: Env, name: EnvName): string | undefined {
  const text = raw(env, name);
  if (text === undefined) return undefined;
  try {
    const parsed = new URL(text);
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new Error('protocol');
  } catch {
    throw new ConfigError(`${name} must be an http(s) URL, got "${text}"`);
  }
  return text;
}

function origins(env: Env, name: EnvName): '*' | readonly string[] {
  const text = raw(env, name) ?? '*';
  if (text === '*') return '*';
  const list = text.split(',').map((item) => item.trim()).filter(Boolean);
  for (const origin of list) {
    let parsed: URL;
    try {
      parsed = new URL(origin);
    } catch {
      throw new ConfigError(`${name} must be "*" or a comma-separated list of origins, got "${origin}"`);
    }
    if (parsed.origin !== origin) {
      throw new ConfigError(`${name} entries must be bare origins like https://app.example.com, got "${origin}"`);
    }
  }
  if (list.length === 0) throw new ConfigError(`${name} must name at least one origin or be "*"`);
  return list;
}

/** The callback timeout, checked against the function's: an invocation must have room for at least one whole try. */
function callbackTimeouts(env: Env): { callbackTimeoutMs: number; functionTimeoutSeconds: number | undefined } {
  const callbackTimeoutMs = integer(env, 'CALLBACK_TIMEOUT_MS', 5000, 100, 30_000);
  const functionTimeoutSeconds = raw(env, 'FUNCTION_TIMEOUT_SECONDS') === undefined ? undefined : integer(env, 'FUNCTION_TIMEOUT_SECONDS', 0, 1, LAMBDA_MAX_TIMEOUT_S);
  if (functionTimeoutSeconds !== undefined && functionTimeoutSeconds * 1000 < callbackTimeoutMs + WEBHOOK_RUN_HEADROOM_MS) {
    throw new ConfigError(
      `CALLBACK_TIMEOUT_MS (${callbackTimeoutMs}) leaves no room for a webhook try in FUNCTION_TIMEOUT_SECONDS (${functionTimeoutSeconds}): a try needs CALLBACK_TIMEOUT_MS + ${WEBHOOK_RUN_HEADROOM_MS} ms of an invocation; lower CALLBACK_TIMEOUT_MS or raise the function's timeout`,
    );
  }
  return { callbackTimeoutMs, functionTimeoutSeconds };
}

/** AUTH and, for `jwt`, the issuer and audience it needs; neither is read with another mode, so a half-made setting fails loudly. */
function authSettings(env: Env): Pick<Config, 'auth' | 'jwt'> {
  const auth = oneOf(env, 'AUTH', Object.values(AuthMode), AuthMode.ApiKey);
  const issuer = raw(env, 'JWT_ISSUER');
  const audience = raw(env, 'JWT_AUDIENCE');
  if (auth !== AuthMode.Jwt) {
    if (issuer !== undefined || audience !== undefined) throw new ConfigError(`JWT_ISSUER and JWT_AUDIENCE are read only with AUTH=jwt, and AUTH is ${auth}: set AUTH=jwt or unset them`);
    return { auth, jwt: undefined };
  }
  if (issuer === undefined) throw new ConfigError('AUTH=jwt needs JWT_ISSUER, the URL of the token issuer (the iss of its tokens)');
  const problem = issuerUrlProblem(issuer);
  if (problem !== undefined) throw new ConfigError(`JWT_ISSUER ${problem} (http only on 127.0.0.1 or localhost), got "${issuer}"`);
  if (audience === undefined) throw new ConfigError("AUTH=jwt needs JWT_AUDIENCE, the aud this deployment's tokens carry (an app client id, an API identifier)");
  return { auth, jwt: { issuer, audience } };
}

/**
 * Reads the function's configuration; throws {@link ConfigError} naming the first bad variable.
 * A secret named by its `*_PARAMETER` is taken from `loaded` (src/secrets.ts reads them).
 */
export function loadConfig(env: Env, loaded: LoadedSecrets = {}): Config {
  const tableName = raw(env, 'REQUESTS_TABLE');
  if (tableName === undefined) throw new ConfigError('REQUESTS_TABLE must be set to the DynamoDB table name');
  if (!/^[A-Za-z0-9_.-]{3,255}$/.test(tableName)) {
    throw new ConfigError(`REQUESTS_TABLE is not a valid DynamoDB table name: "${tableName}"`);
  }
  const ttlSeconds = integer(env, 'REQUEST_TTL_SECONDS', SECONDS_PER_DAY, 60, 365 * SECONDS_PER_DAY);
  const deadlineSeconds = integer(env, 'REQUEST_DEADLINE_SECONDS', 3600, 5, 365 * SECONDS_PER_DAY);
  if (deadlineSeconds >= ttlSeconds) {
    throw new ConfigError(
      `REQUEST_DEADLINE_SECONDS (${deadlineSeconds}) must be shorter than REQUEST_TTL_SECONDS (${ttlSeconds}), or results expire before they are read`,
    );
  }
  const { value: requestIdSecret, label: requestIdSecretLabel } = secret(env, loaded, 'REQUEST_ID_SECRET');
  if (requestIdSecret === undefined || requestIdSecret.length < MIN_SECRET_CHARS) {
    throw new ConfigError(
      `${requestIdSecretLabel} must be a random secret of at least ${MIN_SECRET_CHARS} characters (Terraform provisions one; the local stack keeps one in DATA_DIR)`,
    );
  }
  const leaseSeconds = integer(env, 'WORKER_LEASE_SECONDS', 60, 1, LAMBDA_MAX_TIMEOUT_S);
  if (leaseSeconds >= deadlineSeconds) {
    throw new ConfigError(
      `WORKER_LEASE_SECONDS (${leaseSeconds}) must be shorter than REQUEST_DEADLINE_SECONDS (${deadlineSeconds}), or a crashed worker's request could never be taken over before its deadline`,
    );
  }
  return {
    tableName,
    ttlSeconds,
    deadlineSeconds,
    maxAttempts: integer(env, 'MAX_ATTEMPTS', LAMBDA_MAX_ASYNC_ATTEMPTS, 1, LAMBDA_MAX_ASYNC_ATTEMPTS),
    corsAllowOrigins: origins(env, 'CORS_ALLOW_ORIGINS'),
    demoTaskMs: integer(env, 'DEMO_TASK_MS', 3000, 0, LAMBDA_MAX_TIMEOUT_S * 1000),
    requestIdSecret,
    leaseSeconds,
    progressIntervalMs: integer(env, 'PROGRESS_INTERVAL_MS', 1000, 10, 60_000),
    longPollIntervalMs: integer(env, 'LONG_POLL_INTERVAL_MS', 250, 50, 10_000),
    resultsBucket: bucket(env, 'RESULTS_BUCKET'),
    // S3 presigned URLs work for 7 days at most.
    resultUrlSeconds: integer(env, 'RESULT_URL_SECONDS', 900, 1, 7 * SECONDS_PER_DAY),
    maxOutputBytes: integer(env, 'MAX_OUTPUT_BYTES', GIB, 1024, 5 * 1024 * GIB),
    maxFiles: integer(env, 'MAX_FILES', DEFAULT_MAX_FILES, 0, MAX_FILES_CEILING),
    inlineResultMaxBytes: integer(env, 'INLINE_RESULT_MAX_BYTES', 64 * 1024, 0, 300_000),
    demoReportMb: integer(env, 'DEMO_REPORT_MB', 1, 1, 100),
    webhookSecret: webhookSecret(env, loaded),
    callbackAllowedHosts: hostList(env, 'CALLBACK_ALLOWED_HOSTS'),
    callbackMaxAttempts: integer(env, 'CALLBACK_MAX_ATTEMPTS', 12, 1, 30),
    ...callbackTimeouts(env),
    callbackAllowLoopback: flag(env, 'CALLBACK_ALLOW_LOOPBACK'),
    sweepGraceSeconds: integer(env, 'SWEEP_GRACE_SECONDS', 60, 1, 3600),
    sweepBatch: integer(env, 'SWEEP_BATCH', 100, 1, 1000),
    stepBudgetSeconds: integer(env, 'STEP_BUDGET_SECONDS', 60, 0, LAMBDA_MAX_TIMEOUT_S),
    checkpointInlineMaxBytes: integer(env, 'CHECKPOINT_INLINE_MAX_BYTES', 32 * 1024, 0, 200_000),
    continuationChainMax: integer(env, 'CONTINUATION_CHAIN_MAX', 12, 0, 1000),
    functionName: raw(env, 'AWS_LAMBDA_FUNCTION_NAME') ?? 'async-router',
    ...authSettings(env),
    dynamodbEndpoint: url(env, 'DYNAMODB_ENDPOINT'),
    lambdaEndpoint: url(env, 'LAMBDA_ENDPOINT'),
    s3Endpoint: url(env, 'S3_ENDPOINT'),
  };
}

/** Each local service's port variable, and its default's distance from `PORT`. */
export const LOCAL_PORT_OFFSETS = { DYNAMODB_PORT: 1, LAMBDA_PORT: 2, S3_PORT: 3, OIDC_PORT: 4 } as const;

/** A local service's port: its own variable, else `PORT` + `offset` (0 stays 0: any free port). */
function servicePort(env: Env, name: keyof typeof LOCAL_PORT_OFFSETS, port: number): number {
  const offset = LOCAL_PORT_OFFSETS[name];
  const derived = port === 0 ? 0 : port + offset;
  if (raw(env, name) === undefined && derived > 65_535) {
    throw new ConfigError(`${name} must be set when PORT is above ${65_535 - offset} (it defaults to PORT+${offset})`);
  }
  return integer(env, name, derived, 0, 65_535);
}

/** Reads the local stack's own settings. */
export function loadLocalConfig(env: Env): LocalConfig {
  const port = integer(env, 'PORT', LOCAL_PORT, 0, 65_535);
  return {
    port,
    dataDir: raw(env, 'DATA_DIR') ?? '.data',
    gatewayTimeoutMs: integer(env, 'GATEWAY_TIMEOUT_MS', GATEWAY_TIMEOUT_MS, 100, GATEWAY_TIMEOUT_MS),
    front: oneOf(env, 'FRONT', ['rest', 'function_url', 'http_api'] as const, 'rest'),
    lambdaTimeoutSeconds: integer(env, 'LAMBDA_TIMEOUT_S', LAMBDA_MAX_TIMEOUT_S, 1, LAMBDA_MAX_TIMEOUT_S),
    sweepIntervalMs: integer(env, 'SWEEP_INTERVAL_MS', 60_000, 100, 3_600_000),
    ports: {
      dynamodb: servicePort(env, 'DYNAMODB_PORT', port),
      lambda: servicePort(env, 'LAMBDA_PORT', port),
      s3: servicePort(env, 'S3_PORT', port),
      oidc: servicePort(env, 'OIDC_PORT', port),
    },
    localIssuer: raw(env, 'AUTH') === AuthMode.Jwt && raw(env, 'JWT_ISSUER') === undefined,
    logLevel: oneOf(env, 'LOG_LEVEL', ['info', 'debug'] as const, 'info'),
  };
}

/** Reads the CLI's settings; an empty value counts as unset. */
export function loadCliConfig(env: Env): CliConfig {
  return {
    url: raw(env, 'ASYNC_ROUTER_URL') ?? `http://127.0.0.1:${LOCAL_PORT}`,
    apiKey: raw(env, 'ASYNC_ROUTER_API_KEY'),
    token: raw(env, 'ASYNC_ROUTER_TOKEN'),
    issuer: raw(env, 'ASYNC_ROUTER_ISSUER'),
  };
}
