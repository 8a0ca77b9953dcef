import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startNpmStart } from '../support/npm-start.js';
import { freePort } from '../support/ports.js';
import { ensureBuilt } from '../support/stack.js';
import { cli } from './run-cli.js';

describe("the URL npm start's banner prints", () => {
  let dataDir: string;
  let service: ReturnType<typeof startNpmStart>;
  let port: number;
  beforeAll(async () => {
    ensureBuilt();
    dataDir = mkdtempSync(join(tmpdir(), 'banner-url-'));
    port = await freePort();
    service = startNpmStart({ PORT: String(port), DATA_DIR: dataDir });
    await service.banner();
  }, 60_000);
  afterAll(async () => {
    await service?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('is the API base URL, named so, and check --url passes with it as printed', async () => {
    const printed = service.lines.map((line) => /^\s+API base URL\s+(\S+)/.exec(line)?.[1]).find(Boolean);
    expect(printed, service.lines.join('\n')).toBe(`http://127.0.0.1:${port}`);

    const run = await cli(['check', '--url', printed!]);

    expect(run.stderr).toBe(`async-request-router: all 7 checks passed (${printed})\n`);
    expect(run.code).toBe(0);
  });
});
