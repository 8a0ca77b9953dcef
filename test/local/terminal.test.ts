import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient } from '../../src/client/index.js';
import { ensureBuilt } from '../support/stack.js';
import { waitFor } from '../support/wait-for.js';
import { startNpmStart } from '../support/npm-start.js';

const REQUESTS = 8;
/** Per request: accepted, started, done. */
const LINES_PER_REQUEST = 3;

function occupy(port: number): Promise<Server | undefined> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(undefined));
    server.listen(port, '127.0.0.1', () => resolve(server));
  });
}

/** A PORT whose next three ports are free too, as `npm start` derives its services' ports from it. */
async function freePortBlock(): Promise<number> {
  for (;;) {
    const base = 20_000 + Math.floor(Math.random() * 40_000);
    const held = await Promise.all([0, 1, 2, 3].map((offset) => occupy(base + offset)));
    await Promise.all(held.map((server) => new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)))));
    if (held.every(Boolean)) return base;
  }
}

describe('npm start: a quiet terminal, stable ports', () => {
  let dataDir: string;
  let port: number;
  beforeAll(async () => {
    ensureBuilt();
    dataDir = mkdtempSync(join(tmpdir(), 'npm-start-quiet-'));
    port = await freePortBlock();
  });
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it(`prints a few readable lines per request, not the function's JSON and START/END/REPORT (${REQUESTS} requests)`, async () => {
    const service = startNpmStart({ PORT: String(port), DATA_DIR: dataDir, DEMO_TASK_MS: '100' });
    try {
      const afterBanner = await service.banner();
      const client = createClient({ baseUrl: `http://127.0.0.1:${port}` });
      const accepted = await Promise.all(Array.from({ length: REQUESTS }, (_, index) => client.submit({ prompt: `Request ${index}. It is short.` })));
      await Promise.all(accepted.map((request) => client.wait(request.request_id)));
      const ids = accepted.map((request) => request.request_id);
      // The child prints a request's last line after its outcome is stored: wait for the lines themselves.
      await waitFor(() => (ids.every((id) => service.lines.some((line) => line.endsWith(`${id}  done`))) ? true : undefined), { timeoutMs: 60_000 });

      const printed = service.lines.slice(afterBanner);
      for (const id of ids) {
        expect(printed.filter((line) => line.includes(id)).map((line) => line.replace(/^\d\d:\d\d:\d\d {2}\S+ {2}/, ''))).toEqual(['accepted (assess)', 'started (assess)', 'done']);
      }
      // Room for a warning or two from a loaded machine (a retried write): still a line or so per request, not twenty.
      expect(printed.length, printed.join('\n')).toBeLessThanOrEqual(REQUESTS * (LINES_PER_REQUEST + 1));
      expect(printed.join('\n')).not.toMatch(/^(START|END|REPORT) RequestId|"_aws"|"level":"info"/m);
    } finally {
      await service.stop();
    }
  }, 120_000);

  it('puts DynamoDB, Lambda and S3 on PORT+1, +2, +3, the same on every start, each movable by its own variable', async () => {
    const starts = [];
    for (const env of [{}, {}, { S3_PORT: String(port + 10) }] as Array<Record<string, string>>) {
      const service = startNpmStart({ PORT: String(port), DATA_DIR: dataDir, ...env });
      await service.banner();
      starts.push(['DynamoDB', 'Lambda', 'S3'].map((name) => service.port(name)));
      await service.stop();
    }
    expect(starts).toEqual([
      [port + 1, port + 2, port + 3],
      [port + 1, port + 2, port + 3],
      [port + 1, port + 2, port + 10],
    ]);
  }, 120_000);

  it('says which port is taken and which variable moves it, with no stack trace', async () => {
    const squatter = (await occupy(port + 2))!;
    const service = startNpmStart({ PORT: String(port), DATA_DIR: dataDir });
    try {
      expect(await Promise.race([service.exited, service.banner().then(() => 'started')])).toBe(1);
      const output = service.lines.join('\n');
      expect(output).toContain(`the local Lambda cannot listen on 127.0.0.1:${port + 2}: the port is in use`);
      expect(output).toContain('Set LAMBDA_PORT to a free port, or PORT to move all four (LAMBDA_PORT defaults to PORT+2)');
      expect(output).not.toMatch(/\n\s+at /);
    } finally {
      await service.stop();
      await new Promise((resolve) => squatter.close(resolve));
    }
  }, 60_000);
});
