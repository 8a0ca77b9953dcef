import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { DEPLOYED_ENV_VARS, TTL_ATTRIBUTE } from '../../src/config.js';
import { EXPOSED_HEADERS, ROUTES } from '../../src/contract.js';
import { attribute, blocks, objectKeys, parseBody } from './hcl-scan.js';

// Terraform and the code must agree on names the other side cannot check at runtime: a missing
// environment variable only shows up when the deployed function starts, a wrong TTL attribute
// never shows up at all (items would simply live forever).

const TERRAFORM_DIR = fileURLToPath(new URL('../../terraform/', import.meta.url));

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
    expect([...keys].sort()).toEqual([...DEPLOYED_ENV_VARS].sort());
  });

  it("routes every method of the contract's resources to the function (terraform/api.tf api_routes)", () => {
    const routes = terraformFiles().flatMap(({ text }) => blocks(text, 'locals').map((block) => attribute(block.body, 'api_routes'))).find(Boolean);
    expect(routes, 'locals.api_routes').toBeDefined();

    const declared = objectKeys(routes as string);

    for (const route of Object.values(ROUTES)) {
      for (const method of [...Object.keys(route.methods), 'OPTIONS']) expect(declared).toContain(`${method} ${route.resource}`);
    }
  });

  it("exposes the contract's headers on API Gateway's own answers too (terraform/main.tf cors_expose_headers)", () => {
    const exposed = terraformFiles().flatMap(({ text }) => blocks(text, 'locals').map((block) => attribute(block.body, 'cors_expose_headers'))).find(Boolean);
    expect(exposed).toBe(JSON.stringify(EXPOSED_HEADERS.join(',')));
  });

  it('enables TTL on TTL_ATTRIBUTE', () => {
    const ttl = onlyBlock(onlyResource('aws_dynamodb_table'), 'ttl');

    expect(attribute(ttl, 'attribute_name')).toBe(JSON.stringify(TTL_ATTRIBUTE));
    expect(attribute(ttl, 'enabled')).toBe('true');
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
});
