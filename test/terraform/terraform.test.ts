import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// Runs the Terraform checks offline: fmt, init against the local provider mirror, validate, and
// the mocked `terraform test` suite in terraform/tests. Skipped (loudly) without the CLI.

const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
const MODULE_DIR = join(REPO_ROOT, 'terraform');
const LAMBDA_ZIP = join(REPO_ROOT, 'dist', 'lambda.zip');
const PROVIDER_MIRROR = '/opt/tf-plugins';

const SECOND = 1000;
const FMT_TIMEOUT_MS = 30 * SECOND;
const INIT_TIMEOUT_MS = 180 * SECOND;
const VALIDATE_TIMEOUT_MS = 300 * SECOND;
// Guards against a hung CLI, not a speed check: the plans share two cores with the rest of the
// suite (scripts/test.mjs runs both at once, these at a lower priority), and on a loaded machine
// they take many minutes: at a load of 20 on two cores the one pass was still running after 10.
const TEST_TIMEOUT_MS = 1800 * SECOND;
const BUILD_TIMEOUT_MS = 180 * SECOND;

/**
 * The forms Terraform gives the deployment's secrets (terraform/lambda.tf): Standard Webhooks'
 * `whsec_` and base64, and two UUIDs in a row for the request-id secret. A mock id or a single
 * UUID (terraform_data's id) is none of these.
 */
const UUID = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';
const SECRET_FORMS = [/whsec_[A-Za-z0-9+/]{32,}/, new RegExp(`${UUID}${UUID}`)];

const terraformFound = spawnSync('terraform', ['version'], { stdio: 'ignore' }).error === undefined;
if (!terraformFound) {
  console.warn(
    '\n*** TERRAFORM CLI NOT FOUND: terraform checks skipped (fmt, init, validate, test). ' +
      'Install terraform >= 1.11 to run them. ***\n',
  );
}

interface Outcome {
  code: number | null;
  output: string;
}

/** Runs a command to completion, collecting stdout and stderr together, killing it after `timeoutMs`. */
function run(command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv, timeoutMs: number): Promise<Outcome> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const timer = setTimeout(() => {
      output += `\n[killed after ${timeoutMs} ms]`;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

describe('terraform/', () => {
  let scratch: string | undefined;
  let env: NodeJS.ProcessEnv = { ...process.env };

  function terraform(args: string[], timeoutMs: number): Promise<Outcome> {
    // Leave a margin under the vitest timeout so a hung command reports its output.
    return run('terraform', [...args], MODULE_DIR, env, timeoutMs - 5 * SECOND);
  }

  beforeAll(() => {
    env = { ...process.env, TF_IN_AUTOMATION: '1', TF_INPUT: '0', CHECKPOINT_DISABLE: '1' };
    if (existsSync(PROVIDER_MIRROR)) {
      // The mirror is offered to this child only, through its environment; the user's own CLI
      // configuration (~/.terraformrc) is never touched.
      scratch = mkdtempSync(join(tmpdir(), 'tf-cli-'));
      const cliConfig = join(scratch, 'terraform.tfrc');
      writeFileSync(
        cliConfig,
        [
          'provider_installation {',
          '  filesystem_mirror {',
          `    path    = ${JSON.stringify(PROVIDER_MIRROR)}`,
          '    include = ["registry.terraform.io/hashicorp/aws"]',
          '  }',
          '}',
          '',
        ].join('\n'),
      );
      env.TF_CLI_CONFIG_FILE = cliConfig;
    }
  });

  afterAll(() => {
    if (scratch !== undefined) rmSync(scratch, { recursive: true, force: true });
  });

  it.skipIf(!terraformFound)(
    'is formatted (terraform fmt -check -recursive)',
    async () => {
      const { code, output } = await terraform(['fmt', '-check', '-recursive', '-diff', '-no-color'], FMT_TIMEOUT_MS);
      expect(code, output).toBe(0);
    },
    FMT_TIMEOUT_MS,
  );

  it.skipIf(!terraformFound)(
    'initialises offline (terraform init -backend=false)',
    async () => {
      const { code, output } = await terraform(['init', '-backend=false', '-input=false', '-no-color'], INIT_TIMEOUT_MS);
      expect(code, output).toBe(0);
    },
    INIT_TIMEOUT_MS,
  );

  it.skipIf(!terraformFound)(
    'is valid (terraform validate)',
    async () => {
      const { code, output } = await terraform(['validate', '-no-color'], VALIDATE_TIMEOUT_MS);
      expect(code, output).toBe(0);
    },
    VALIDATE_TIMEOUT_MS,
  );

  let planTests: Promise<Outcome> | undefined;
  /**
   * One `terraform test -verbose` over every file, shared by the two checks below: -verbose prints
   * each run's plan (normal and rotation) or state (after each apply), what `terraform plan`,
   * `apply` and `show` would print for the same changes; a destroy plan renders the state too.
   * Each `terraform test` starts the provider again for every run, so one pass instead of two.
   */
  async function runPlanTests(): Promise<Outcome> {
    // The function hashes the package at plan time, so the tests need the real build.
    if (!existsSync(LAMBDA_ZIP)) {
      const build = await run(process.execPath, ['build.mjs'], REPO_ROOT, process.env, BUILD_TIMEOUT_MS);
      expect(build.code, `node build.mjs failed:\n${build.output}`).toBe(0);
    }
    expect(existsSync(LAMBDA_ZIP), `${LAMBDA_ZIP} is missing after the build`).toBe(true);
    return terraform(['test', '-verbose', '-no-color'], TEST_TIMEOUT_MS);
  }

  it.skipIf(!terraformFound)(
    'passes its plan tests against a mocked AWS provider (terraform test)',
    async () => {
      const { code, output } = await (planTests ??= runPlanTests());
      expect(code, output).toBe(0);
      expect(output).toMatch(/Success! \d+ passed, 0 failed/);
    },
    TEST_TIMEOUT_MS + BUILD_TIMEOUT_MS,
  );

  it.skipIf(!terraformFound)(
    'renders no secret in any plan or state of the tests (terraform test -verbose)',
    async () => {
      const { code, output } = await (planTests ??= runPlanTests());
      expect(code, output).toBe(0);
      expect(output).toContain('aws_ssm_parameter.webhook_secret');
      for (const form of SECRET_FORMS) expect(output.match(form)?.[0], `a secret in the rendered plans: ${form}`).toBeUndefined();
    },
    TEST_TIMEOUT_MS + BUILD_TIMEOUT_MS,
  );
});
