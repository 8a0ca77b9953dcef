import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt } from '../support/stack.js';
import { waitFor } from '../support/wait-for.js';
import { startNpmStart } from '../support/npm-start.js';

const awsFound = spawnSync('aws', ['--version'], { stdio: 'ignore' }).error === undefined;
if (!awsFound) console.warn('\n*** aws CLI NOT FOUND: the check of the local endpoints with an independent client is skipped (apt-get install awscli). ***\n');

describe('npm start', () => {
  let dataDir: string;
  let first: Awaited<ReturnType<typeof startNpmStart>>;
  beforeAll(async () => {
    ensureBuilt();
    dataDir = mkdtempSync(join(tmpdir(), 'npm-start-'));
    // LOG_LEVEL=debug: every log line, the function's JSON included, as the sweep check below reads it.
    first = await startNpmStart({ PORT: '0', DATA_DIR: dataDir, SWEEP_INTERVAL_MS: '300', LOG_LEVEL: 'debug' });
    await first.banner();
  }, 60_000);
  afterAll(async () => {
    await first?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('refuses a second start on the same DATA_DIR with a sentence that says what to do, and no stack trace', async () => {
    const second = await startNpmStart({ PORT: '0', DATA_DIR: dataDir });
    const code = await second.exited;
    const output = second.lines.join('\n');

    expect(code).toBe(1);
    expect(output).toContain(`DATA_DIR ${dataDir} is in use by another local stack`);
    expect(output).toContain('DATA_DIR=.data-2');
    expect(output).not.toMatch(/\n\s+at /);
    expect(Number(readFileSync(join(dataDir, 'npm-start.pid'), 'utf8'))).toBeGreaterThan(0);
  });

  it('keeps a webhook secret in DATA_DIR, says where, and sweeps on its timer', async () => {
    const secret = readFileSync(join(dataDir, 'webhook-secret'), 'utf8').trim();
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(first.lines.join('\n')).toContain(`signed with each tenant's secret from GET /v1/webhook-secret, derived from the one kept in ${join(dataDir, 'webhook-secret')}; the sweeper runs every 0.3 s`);
    const sweeps = await waitFor(() => {
      const found = first.lines.filter((line) => line.includes('"message":"swept"'));
      return found.length >= 2 ? found : undefined;
    });
    expect(JSON.parse(sweeps[0]!)).toMatchObject({ level: 'info', due: 0, failed: 0 });
  });

  it('prints no SDK warning about the Node.js version', () => {
    expect(first.lines.join('\n')).not.toMatch(/NodeVersionSupportWarning|upgrade to node/);
  });

  it.skipIf(!awsFound)('prints DynamoDB and Lambda endpoints that the aws CLI can use as they are', () => {
    const endpoint = (name: string) => `http://127.0.0.1:${first.port(name)}`;
    const env = { ...process.env, AWS_ACCESS_KEY_ID: 'local', AWS_SECRET_ACCESS_KEY: 'local', AWS_REGION: 'us-east-1', AWS_DEFAULT_REGION: 'us-east-1', AWS_PAGER: '' };
    const outFile = join(dataDir, 'invoke-out.json');
    const payloadFile = join(dataDir, 'invoke-in.json');
    writeFileSync(payloadFile, '{"action":"process","request_id":"00000000-0000-4000-8000-000000000000"}');

    const tables = spawnSync('aws', ['dynamodb', 'list-tables', '--endpoint-url', endpoint('DynamoDB')], { env, encoding: 'utf8' });
    const invoke = spawnSync('aws', ['lambda', 'invoke', '--function-name', 'async-router', '--endpoint-url', endpoint('Lambda'), '--payload', `fileb://${payloadFile}`, outFile], { env, encoding: 'utf8' });

    expect(tables.status, tables.stderr).toBe(0);
    expect(JSON.parse(tables.stdout).TableNames).toContain('async-router-requests');
    expect(invoke.status, invoke.stderr).toBe(0);
    expect(JSON.parse(invoke.stdout).StatusCode).toBe(200);
    expect(JSON.parse(readFileSync(outFile, 'utf8'))).toEqual({ request_id: '00000000-0000-4000-8000-000000000000', result: 'skipped' });
  });
});
