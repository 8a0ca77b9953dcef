import { describe, expect, it } from 'vitest';
import type { Handler } from '../src/create-handler.js';
import { awslambda } from '../src/local/lambda-streaming.mjs';
import { withStreaming } from '../src/streaming.js';

const plain: Handler = async () => ({ ignored: true });

describe('withStreaming', () => {
  it('keeps the plain handler where the awslambda global is the empty object the SDK leaves outside Lambda', () => {
    expect(withStreaming(plain, {})).toBe(plain);
    expect(withStreaming(plain, undefined)).toBe(plain);
  });

  it('streams where the runtime provides streamifyResponse and HttpResponseStream', () => {
    const streaming = withStreaming(plain, awslambda);
    expect(streaming).not.toBe(plain);
    expect(streaming.length).toBe(3);
  });

  // dist/lambda.zip is built by npm test before the suite runs.
  it('imports the built bundle in plain Node, the SDK\'s empty awslambda global included', async () => {
    const { spawnSync } = await import('node:child_process');
    const { mkdtempSync, rmSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const dir = mkdtempSync(join(tmpdir(), 'bundle-import-'));
    try {
      expect(spawnSync('unzip', ['-q', 'dist/lambda.zip', '-d', dir]).status).toBe(0);
      const run = spawnSync(process.execPath, ['-e', `import(${JSON.stringify(`file://${join(dir, 'index.mjs')}`)})`], {
        env: { PATH: process.env.PATH, REQUESTS_TABLE: 't-requests', REQUEST_ID_SECRET: 'x'.repeat(40), AWS_REGION: 'us-east-1', AWS_ACCESS_KEY_ID: 'k', AWS_SECRET_ACCESS_KEY: 's', AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
        encoding: 'utf8',
      });
      expect(run.stderr).not.toMatch(/Error/);
      expect(run.status).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
