import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { AuthMode } from '../../src/auth/principal.js';
import { DEPLOYED_ENV_VARS, TTL_ATTRIBUTE } from '../../src/config.js';
import { ALLOWED_HEADERS, ALLOWED_METHODS, EXPOSED_HEADERS, ROUTES } from '../../src/contract.js';
import { isSweepEvent } from '../../src/events.js';
import { createEmfMetrics, Metric, METRICS_NAMESPACE } from '../../src/metrics.js';
import { SWEEP_INDEX } from '../../src/requests/sweep-index.js';
import { REQUESTS_PREFIX } from '../../src/storage/keys.js';
import { attribute, blocks, jsonencodeLiteral, objectKeys, parseBody, stringList } from './hcl-scan.js';

// Terraform and the code must agree on names the other side cannot check at runtime: a missing
// environment variable only shows up when the deployed function starts, a wrong TTL attribute
// never shows up at all (items would simply live forever).

const TERRAFORM_DIR = fileURLToPath(new URL('../../terraform/', import.meta.url));

/**
 * The function's identity settings (issue 19's shared decision: AUTH, JWT_ISSUER, JWT_AUDIENCE), which
 * Terraform sets on every front. src/config.ts lists them in DEPLOYED_ENV_VARS once it reads them;
 * the union keeps the environment check exact before and after that.
 */
const IDENTITY_ENV_VARS = ['AUTH', 'JWT_ISSUER', 'JWT_AUDIENCE'] as const;

/**
 * The owner index of issue 19's shared decision, as GET /v1/requests queries it. The code exports
 * it from src/requests/owner-index.ts (OWNER_INDEX, OWNER_INDEX_ATTRIBUTES); where that module
 * exists, Terraform is checked against it too.
 */
const OWNER_INDEX = 'by_owner';
const OWNER_INDEX_ATTRIBUTES = ['status', 'task', 'updated_at', 'expires_at', 'progress', 'step', 'error', 'error_code', 'session_id'];
const OWNER_INDEX_MODULE = fileURLToPath(new URL('../../src/requests/owner-index.ts', import.meta.url));

function terraformFiles(): Array<{ name: string; text: string }> {
  return readdirSync(TERRAFORM_DIR)
    .filter((name) => name.endsWith('.tf'))
    .sort()
    .map((name) => ({ name, text: readFileSync(join(TERRAFORM_DIR, name), 'utf8') }));
}

/** The body of the only `resource "<type>" "..."` in the configuration. */
function onlyResource(type: string): string {
  const found = terraformFiles().flatMap(({ text }) => blocks(text, 'resource', type));
  expect(found.map((block) => block.labels.join('.')), `resources of type ${type}`).toHaveLength(1);
  return (found[0] as (typeof found)[number]).body;
}

/** The bodies of every `resource "<type>" "..."` in the configuration, by name. */
function resources(type: string): Map<string, string> {
  return new Map(terraformFiles().flatMap(({ text }) => blocks(text, 'resource', type).map((block) => [block.labels[1] as string, block.body] as const)));
}

/** The body of the `statement` with this Sid in the function's role policy (terraform/iam.tf). */
function roleStatement(sid: string): string {
  const policy = terraformFiles().flatMap(({ text }) => blocks(text, 'data', 'aws_iam_policy_document', 'this'));
  expect(policy, 'data "aws_iam_policy_document" "this"').toHaveLength(1);
  const statement = blocks((policy[0] as (typeof policy)[number]).body, 'statement').find((block) => attribute(block.body, 'sid') === JSON.stringify(sid));
  expect(statement, `the ${sid} statement`).toBeDefined();
  return (statement as NonNullable<typeof statement>).body;
}

/** The body of the table's `global_secondary_index` whose name is `local.<nameLocal>`. */
function tableIndex(nameLocal: string): string {
  const found = blocks(onlyResource('aws_dynamodb_table'), 'global_secondary_index').filter((block) => attribute(block.body, 'name') === `local.${nameLocal}`);
  expect(found, `global_secondary_index named local.${nameLocal}`).toHaveLength(1);
  return (found[0] as (typeof found)[number]).body;
}

/** The raw expression of `name` in whichever `locals` block defines it. */
function local(name: string): string | undefined {
  return terraformFiles()
    .flatMap(({ text }) => blocks(text, 'locals').map((block) => attribute(block.body, name)))
    .find(Boolean);
}

const lowerSorted = (values: readonly string[]): string[] => values.map((value) => value.toLowerCase()).sort();

function onlyBlock(body: string, type: string): string {
  const found = blocks(body, type);
  expect(found, `"${type}" blocks`).toHaveLength(1);
  return (found[0] as (typeof found)[number]).body;
}

describe('Terraform matches src/config.ts', () => {
  it('reads every .tf file without a scanning error', () => {
    for (const { name, text } of terraformFiles()) {
      expect(() => parseBody(text), name).not.toThrow();
    }
  });

  it('sets exactly DEPLOYED_ENV_VARS in the Lambda environment', () => {
    const environment = onlyBlock(onlyResource('aws_lambda_function'), 'environment');
    const variables = attribute(environment, 'variables');
    expect(variables, 'environment.variables').toBeDefined();

    const keys = objectKeys(variables as string);

    expect(new Set(keys).size, `duplicate keys in ${keys.join(', ')}`).toBe(keys.length);
    expect([...keys].sort()).toEqual([...new Set([...DEPLOYED_ENV_VARS, ...IDENTITY_ENV_VARS])].sort());
  });

  it('offers exactly the auth modes the function knows (terraform/variables.tf auth, src/auth/principal.ts AuthMode)', () => {
    const variable = terraformFiles().flatMap(({ text }) => blocks(text, 'variable', 'auth'));
    expect(variable, 'variable "auth"').toHaveLength(1);
    const conditions = blocks((variable[0] as (typeof variable)[number]).body, 'validation').map((block) => attribute(block.body, 'condition') ?? '');
    const modes = conditions.map((condition) => /contains\((\[[^\]]*\]),/.exec(condition)?.[1]).find(Boolean);
    expect(modes, 'contains([...], var.auth) in the auth validation').toBeDefined();

    expect(stringList(modes as string).sort()).toEqual(Object.values(AuthMode).sort());
  });

  it("routes every method of the contract's resources to the function (terraform/api.tf api_routes, events.tf's)", () => {
    const routeMaps = (name: string) => terraformFiles().flatMap(({ text }) => blocks(text, 'locals').map((block) => attribute(block.body, name))).filter(Boolean) as string[];
    expect(routeMaps('api_routes'), 'locals.api_routes').toHaveLength(1);

    const declared = ['api_routes', 'events_routes', 'streaming_routes'].flatMap((name) => routeMaps(name).flatMap(objectKeys));

    for (const route of Object.values(ROUTES)) {
      for (const method of [...Object.keys(route.methods), 'OPTIONS']) expect(declared).toContain(`${method} ${route.resource}`);
    }
  });

  it("routes every method of the contract's resources to the function on the HTTP API too (terraform/http_api.tf http_api_routes)", () => {
    const routes = local('http_api_routes');
    expect(routes, 'locals.http_api_routes').toBeDefined();

    const declared = stringList((routes as string).replace(/^toset\(/, '').replace(/\)$/, ''));

    // Preflights are answered from the API's CORS configuration (and OPTIONS /{proxy+}), unknown routes by $default.
    for (const route of Object.values(ROUTES)) {
      for (const method of Object.keys(route.methods)) expect(declared).toContain(`${method} ${route.resource}`);
    }
    expect(declared).toContain('$default');
    expect(declared).toContain('OPTIONS /{proxy+}');
  });

  it('gives the HTTP API the same CORS settings as the function URL (terraform/http_api.tf)', () => {
    const cors = onlyBlock(onlyResource('aws_apigatewayv2_api'), 'cors_configuration');

    expect(attribute(cors, 'allow_origins')).toBe('var.cors_allow_origins');
    expect(attribute(cors, 'allow_methods')).toBe('local.function_url_cors_allow_methods');
    expect(attribute(cors, 'allow_headers')).toBe('local.function_url_cors_allow_headers');
    expect(attribute(cors, 'expose_headers')).toBe('local.function_url_cors_expose_headers');
  });

  it("exposes the contract's headers on API Gateway's own answers too (terraform/main.tf cors_expose_headers)", () => {
    const exposed = terraformFiles().flatMap(({ text }) => blocks(text, 'locals').map((block) => attribute(block.body, 'cors_expose_headers'))).find(Boolean);
    expect(exposed).toBe(JSON.stringify(EXPOSED_HEADERS.join(',')));
  });

  // With front = "function_url", Lambda answers preflights itself from the URL's CORS
  // configuration, so a header the function allows but the URL does not would fail in browsers.
  it("gives the function URL the contract's CORS methods and headers (terraform/main.tf function_url_cors_*)", () => {
    const methods = local('function_url_cors_allow_methods');
    const allowHeaders = local('function_url_cors_allow_headers');
    const exposeHeaders = local('function_url_cors_expose_headers');
    expect(methods, 'locals.function_url_cors_allow_methods').toBeDefined();
    expect(allowHeaders, 'locals.function_url_cors_allow_headers').toBeDefined();
    expect(exposeHeaders, 'locals.function_url_cors_expose_headers').toBeDefined();

    // The URL answers OPTIONS itself; Lambda accepts only real methods in AllowMethods.
    expect([...stringList(methods as string)].sort()).toEqual(ALLOWED_METHODS.filter((method) => method !== 'OPTIONS').sort());
    expect(lowerSorted(stringList(allowHeaders as string))).toEqual(lowerSorted(ALLOWED_HEADERS));
    expect(lowerSorted(stringList(exposeHeaders as string))).toEqual(lowerSorted(EXPOSED_HEADERS));
  });

  it('wires those CORS settings and cors_allow_origins into the function URL (terraform/function_url.tf)', () => {
    const cors = onlyBlock(onlyResource('aws_lambda_function_url'), 'cors');

    expect(attribute(cors, 'allow_origins')).toBe('var.cors_allow_origins');
    expect(attribute(cors, 'allow_methods')).toBe('local.function_url_cors_allow_methods');
    expect(attribute(cors, 'allow_headers')).toBe('local.function_url_cors_allow_headers');
    expect(attribute(cors, 'expose_headers')).toBe('local.function_url_cors_expose_headers');
  });

  it('enables TTL on TTL_ATTRIBUTE', () => {
    const ttl = onlyBlock(onlyResource('aws_dynamodb_table'), 'ttl');

    expect(attribute(ttl, 'attribute_name')).toBe(JSON.stringify(TTL_ATTRIBUTE));
    expect(attribute(ttl, 'enabled')).toBe('true');
  });
});

// The role may touch objects under one prefix only, and the lifecycle rule expires that prefix:
// if the code wrote anywhere else, every write would be denied, or its objects would never expire.
describe('Terraform matches src/storage', () => {
  it('scopes the role and the lifecycle rule to REQUESTS_PREFIX (terraform/main.tf results_prefix)', () => {
    expect(local('results_prefix')).toBe(JSON.stringify(REQUESTS_PREFIX));

    const rule = onlyBlock(onlyResource('aws_s3_bucket_lifecycle_configuration'), 'rule');
    expect(attribute(onlyBlock(rule, 'filter'), 'prefix')).toBe('local.results_prefix');

    expect(attribute(roleStatement('ResultsObjects'), 'resources')).toBe('["${local.results_bucket_arn}/${local.results_prefix}*"]');
  });

  // Expiring or deleting an object in a versioned bucket only hides it behind a delete marker and
  // keeps a billed noncurrent version; versioning, once on, can never be turned off again.
  it('leaves the results bucket unversioned', () => {
    const versioning = terraformFiles().flatMap(({ text }) => blocks(text, 'resource', 'aws_s3_bucket_versioning'));
    expect(versioning.map((block) => block.labels.join('.')), 'aws_s3_bucket_versioning resources').toEqual([]);
    expect(blocks(onlyResource('aws_s3_bucket'), 'versioning'), 'versioning blocks in aws_s3_bucket').toEqual([]);
  });

  it('lets the same origins as the API read the bucket from a browser (terraform/s3.tf)', () => {
    const cors = onlyBlock(onlyResource('aws_s3_bucket_cors_configuration'), 'cors_rule');
    expect(attribute(cors, 'allowed_origins')).toBe('var.cors_allow_origins');
  });
});

// The sweeper finds its work through one index and is started by one event: an index named
// otherwise, or an input the handler does not read as a sweep, fails only in AWS, and silently
// (every Query denied or refused, every scheduled run answered as an unknown event).
describe('Terraform matches the sweeper (src/requests/sweeper.ts)', () => {
  it('gives the table the sweep index: SWEEP_INDEX, keyed on sweep_shard (S) and sweep_at (N), keys only (terraform/dynamodb.tf)', () => {
    expect(local('sweep_index')).toBe(JSON.stringify(SWEEP_INDEX));

    const table = onlyResource('aws_dynamodb_table');
    const index = tableIndex('sweep_index');
    // The names the store writes and queries (src/requests/store.ts: sweep_shard = :shard AND sweep_at <= :now).
    expect(attribute(index, 'hash_key')).toBe(JSON.stringify('sweep_shard'));
    expect(attribute(index, 'range_key')).toBe(JSON.stringify('sweep_at'));
    expect(attribute(index, 'projection_type')).toBe(JSON.stringify('KEYS_ONLY'));

    const definitions = Object.fromEntries(blocks(table, 'attribute').map((block) => [attribute(block.body, 'name'), attribute(block.body, 'type')]));
    expect(definitions).toEqual({ '"request_id"': '"S"', '"sweep_shard"': '"S"', '"sweep_at"': '"N"', '"owner"': '"S"', '"created_at"': '"S"' });
  });

  it('lets the role Query that index and nothing else (terraform/iam.tf QuerySweepIndex)', () => {
    const statement = roleStatement('QuerySweepIndex');
    expect(stringList(attribute(statement, 'actions') as string)).toEqual(['dynamodb:Query']);
    expect(attribute(statement, 'resources')).toBe('[local.sweep_index_arn]');
    expect(local('sweep_index_arn')).toBe('"${local.table_arn}/index/${local.sweep_index}"');
  });

  it('schedules the function with an event its handler reads as a sweep (terraform/sweeper.tf)', () => {
    const target = onlyBlock(onlyResource('aws_scheduler_schedule'), 'target');
    expect(attribute(target, 'arn')).toBe('aws_lambda_function.this.arn');

    const input = jsonencodeLiteral(attribute(target, 'input') as string);
    expect(JSON.stringify(input)).toBe('{"action":"sweep"}');
    expect(isSweepEvent(input)).toBe(true);
  });
});

// GET /v1/requests reads one index: named otherwise, or projecting less than a list item shows, every
// page would be denied, refused, or come back with attributes missing, and only in AWS.
describe('Terraform matches the owner index (GET /v1/requests)', () => {
  it('gives the table the owner index: keyed on owner (S) and created_at (S), projecting the list attributes (terraform/dynamodb.tf)', () => {
    expect(local('owner_index')).toBe(JSON.stringify(OWNER_INDEX));
    expect(stringList(local('owner_index_attributes') as string)).toEqual(OWNER_INDEX_ATTRIBUTES);

    const index = tableIndex('owner_index');
    expect(attribute(index, 'hash_key')).toBe(JSON.stringify('owner'));
    expect(attribute(index, 'range_key')).toBe(JSON.stringify('created_at'));
    expect(attribute(index, 'projection_type')).toBe(JSON.stringify('INCLUDE'));
    expect(attribute(index, 'non_key_attributes')).toBe('local.owner_index_attributes');
  });

  it.skipIf(!existsSync(OWNER_INDEX_MODULE))('names the index and its attributes as the code does (src/requests/owner-index.ts)', async () => {
    const code = (await import(OWNER_INDEX_MODULE)) as { OWNER_INDEX: string; OWNER_INDEX_ATTRIBUTES: readonly string[] };

    expect(local('owner_index')).toBe(JSON.stringify(code.OWNER_INDEX));
    expect(stringList(local('owner_index_attributes') as string)).toEqual([...code.OWNER_INDEX_ATTRIBUTES]);
  });

  it('lets the role Query that index (terraform/iam.tf QueryOwnerIndex)', () => {
    const statement = roleStatement('QueryOwnerIndex');
    expect(stringList(attribute(statement, 'actions') as string)).toEqual(['dynamodb:Query']);
    expect(attribute(statement, 'resources')).toBe('[local.owner_index_arn]');
    expect(local('owner_index_arn')).toBe('"${local.table_arn}/index/${local.owner_index}"');
  });
});

// CloudWatch matches an alarm to datapoints by namespace, metric name and the exact set of
// dimensions: a single difference and the alarm waits on a metric nobody writes, never going off.
describe('Terraform matches src/metrics.ts', () => {
  /** The namespace and dimension sets the function writes `metric` with, read from its own EMF line. */
  function written(metric: Metric): { namespace: string; dimensions: string[][] } {
    const lines: string[] = [];
    createEmfMetrics('async-router', (line) => lines.push(line)).put(metric, 1);
    expect(lines).toHaveLength(1);
    const emf = JSON.parse(lines[0] as string) as { _aws: { CloudWatchMetrics: Array<{ Namespace: string; Dimensions: string[][]; Metrics: Array<{ Name: string }> }> } };
    const directive = emf._aws.CloudWatchMetrics[0] as (typeof emf._aws.CloudWatchMetrics)[number];
    expect(directive.Metrics.map((m) => m.Name)).toEqual([metric]);
    return { namespace: directive.Namespace, dimensions: directive.Dimensions };
  }

  it('alarms on Failed and WebhookFailures in METRICS_NAMESPACE, by the dimension the function writes (terraform/alarms.tf)', () => {
    expect(local('metrics_namespace')).toBe(JSON.stringify(METRICS_NAMESPACE));

    // The alarms on what Lambda counts itself (namespace AWS/Lambda, terraform/alarms.tf) watch no metric of ours.
    const alarms = new Map([...resources('aws_cloudwatch_metric_alarm')].filter(([, body]) => attribute(body, 'namespace') !== '"AWS/Lambda"'));
    const names = [...alarms.values()].map((body) => JSON.parse(attribute(body, 'metric_name') as string) as string);
    expect(names.sort()).toEqual([Metric.Failed, Metric.WebhookFailures].sort());

    const dimensions = local('alarm_dimensions');
    expect(dimensions, 'locals.alarm_dimensions').toBeDefined();

    for (const [label, body] of alarms) {
      const metric = JSON.parse(attribute(body, 'metric_name') as string) as Metric;
      expect(Object.values(Metric), `${label}: metric_name`).toContain(metric);
      expect(attribute(body, 'namespace'), `${label}: namespace`).toBe('local.metrics_namespace');
      expect(written(metric).namespace).toBe(METRICS_NAMESPACE);

      // The alarm's dimension set must be one the function writes the metric with.
      expect(attribute(body, 'dimensions'), `${label}: dimensions`).toBe('local.alarm_dimensions');
      expect(written(metric).dimensions, `${label}: dimension sets the function writes`).toContainEqual(objectKeys(dimensions as string));

      // A unit on an alarm matches only datapoints written with that unit; none matches them all.
      expect(attribute(body, 'unit'), `${label}: unit`).toBeUndefined();
    }
  });
});

describe('the HCL scanner behind the drift checks', () => {
  it('reads quoted and bare keys across comments, commas, strings and nested values', () => {
    const expression = `{
      # a comment with = and { braces
      A = "x}" // trailing
      "B" = { nested = [1, 2] }, C = join(",", ["a", "\${var.x == "}" ? 1 : 2}"])
      D = <<-EOT
        E = not a key
        EOT
    }`;

    expect(objectKeys(expression)).toEqual(['A', 'B', 'C', 'D']);
  });

  it('refuses computed keys instead of guessing', () => {
    expect(() => objectKeys('{ (local.name) = 1 }')).toThrow(/expected a name/);
  });

  it('reads a list of string literals across lines, comments and a trailing comma', () => {
    const expression = `[
      "GET", # a comment, with a comma
      "POST",
    ]`;

    expect(stringList(expression)).toEqual(['GET', 'POST']);
  });

  it('reads what jsonencode() encodes when it is made of literals', () => {
    const expression = `jsonencode({
      action = "sweep" # a comment
      "n"    = 2, ok = true, none = null
      inner  = { list = ["a", 1, false], empty = {} }
    })`;

    expect(jsonencodeLiteral(expression)).toEqual({ action: 'sweep', n: 2, ok: true, none: null, inner: { list: ['a', 1, false], empty: {} } });
  });

  it('refuses a jsonencode() it cannot know', () => {
    expect(() => jsonencodeLiteral('jsonencode(local.event)')).toThrow(/cannot know/);
    expect(() => jsonencodeLiteral('jsonencode({ action = var.action })')).toThrow(/cannot know/);
    expect(() => jsonencodeLiteral('jsonencode({ action = "${var.action}" })')).toThrow(/interpolated/);
    expect(() => jsonencodeLiteral('jsonencode({ action = upper("sweep") })')).toThrow(/cannot know/);
    expect(() => jsonencodeLiteral('yamlencode({ action = "sweep" })')).toThrow(/expected jsonencode/);
    expect(() => jsonencodeLiteral('jsonencode({ action = "sweep" }).x')).toThrow(/expected jsonencode/);
  });

  it('refuses list items it cannot know', () => {
    expect(() => stringList('[local.method]')).toThrow(/expected a string literal/);
    expect(() => stringList('["${var.method}"]')).toThrow(/interpolated/);
    expect(() => stringList('concat(["GET"], local.more)')).toThrow(/expected a list literal/);
  });
});
