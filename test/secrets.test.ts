import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../src/config.js';
import { startSsm, type SsmServer } from '../src/local/ssm-server.js';
import { LOCAL_CREDENTIALS, LOCAL_REGION, type Stack } from '../src/local/stack.js';
import { loadConfigWithSecrets } from '../src/secrets.js';
import { call } from './support/http.js';
import { closedPortUrl } from './support/ports.js';
import { ensureBuilt, startTestStack, TEST_ENV } from './support/stack.js';
import { createLogCollector } from './support/logs.js';

const CLIENT = { region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS };
const REQUEST_ID_SECRET = 'r'.repeat(40);
const WEBHOOK_SECRET = `whsec_${Buffer.alloc(32, 7).toString('base64')}`;
const PARAMETERS = { REQUEST_ID_SECRET_PARAMETER: '/router/request-id-secret', WEBHOOK_SECRET_PARAMETER: '/router/webhook-secret' };

describe('loadConfigWithSecrets (the function reads its secrets from SSM)', () => {
  let ssm: SsmServer;
  beforeAll(async () => {
    ssm = await startSsm({ '/router/request-id-secret': REQUEST_ID_SECRET, '/router/webhook-secret': WEBHOOK_SECRET });
  });
  afterAll(() => ssm.stop());

  it('reads both secrets with one GetParameters call through the real SSM client', async () => {
    const before = ssm.calls;

    const config = await loadConfigWithSecrets({ ...TEST_ENV, ...PARAMETERS, SSM_ENDPOINT: ssm.endpoint }, CLIENT);

    expect(config.requestIdSecret).toBe(REQUEST_ID_SECRET);
    expect(config.webhookSecret).toBe(WEBHOOK_SECRET);
    expect(ssm.calls - before).toBe(1);
  });

  it('makes no call when the secrets are given directly (local and test setups)', async () => {
    const before = ssm.calls;

    const config = await loadConfigWithSecrets({ ...TEST_ENV, REQUEST_ID_SECRET, SSM_ENDPOINT: ssm.endpoint }, CLIENT);

    expect(config.requestIdSecret).toBe(REQUEST_ID_SECRET);
    expect(ssm.calls - before).toBe(0);
  });

  it('refuses a parameter that does not exist, naming its variable and the parameter', async () => {
    const env = { ...TEST_ENV, ...PARAMETERS, WEBHOOK_SECRET_PARAMETER: '/router/gone', SSM_ENDPOINT: ssm.endpoint };

    const failure = loadConfigWithSecrets(env, CLIENT);

    await expect(failure).rejects.toThrow(ConfigError);
    await expect(loadConfigWithSecrets(env, CLIENT)).rejects.toThrow('WEBHOOK_SECRET_PARAMETER names the SSM parameter /router/gone, which does not exist');
  });

  it('refuses a parameter whose value is not a webhook secret, naming the parameter', async () => {
    const env = { ...TEST_ENV, ...PARAMETERS, WEBHOOK_SECRET_PARAMETER: '/router/request-id-secret', SSM_ENDPOINT: ssm.endpoint };

    await expect(loadConfigWithSecrets(env, CLIENT)).rejects.toThrow(/WEBHOOK_SECRET \(the SSM parameter WEBHOOK_SECRET_PARAMETER names, \/router\/request-id-secret\) must be "whsec_"/);
  });

  it('fails the cold start when SSM cannot be reached', async () => {
    const env = { ...TEST_ENV, ...PARAMETERS, SSM_ENDPOINT: await closedPortUrl() };

    await expect(loadConfigWithSecrets(env, CLIENT)).rejects.toThrow();
  });
});

describe('the local stack serves its secrets from its own SSM endpoint', () => {
  let stack: Stack | undefined;
  let dataDir: string | undefined;
  const logs = createLogCollector();

  beforeAll(() => ensureBuilt());
  afterEach(async () => {
    await stack?.stop();
    stack = undefined;
    if (dataDir !== undefined) rmSync(dataDir, { recursive: true, force: true });
  });

  it('reads the secrets kept in DATA_DIR through SSM, once for the stack', async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'secrets-'));
    stack = await startTestStack({ dataDir });

    for (let i = 0; i < 3; i += 1) expect((await call(stack.url, 'GET', '/v1/status/not-an-id')).status).toBe(400);

    expect(stack.config.requestIdSecret).toBe(readFileSync(join(dataDir, 'request-id-secret'), 'utf8').trim());
    expect(stack.config.webhookSecret).toBe(readFileSync(join(dataDir, 'webhook-secret'), 'utf8').trim());
    expect(stack.ssm.calls).toBe(1);
  });

  it('has the built bundle read them once per cold start, not per request', async () => {
    stack = await startTestStack({ runtime: 'sandbox', log: logs.log });
    const atStart = stack.ssm.calls;

    // One after another, so one warm execution environment answers them all.
    for (let i = 0; i < 3; i += 1) expect((await call(stack.url, 'GET', '/v1/status/not-an-id')).status).toBe(400);

    const coldStarts = logs.lines.filter((line) => line.startsWith('REPORT') && line.includes('Init Duration')).length;
    expect(coldStarts).toBeGreaterThanOrEqual(1);
    expect(stack.ssm.calls - atStart).toBe(coldStarts);
  });
});
