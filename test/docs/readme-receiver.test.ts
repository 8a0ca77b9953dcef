import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ownerWebhookSecret } from '../../src/callbacks/owner-secret.js';
import { startNpmStart } from '../support/npm-start.js';
import { freePort } from '../support/ports.js';
import { REPO_ROOT, ensureBuilt } from '../support/stack.js';
import { waitFor } from '../support/wait-for.js';
import { readmeBlock } from './readme-blocks.js';

/**
 * The README's local webhook recipe, run as printed against `npm start`: the receiver block saved
 * as receiver.mjs, then the recipe's shell lines in the folder `npm start` keeps its `.data` in.
 * Only the two ports change (3000 and 8080 may be taken on a test machine).
 */
describe("the README's local webhook recipe", () => {
  // Inside the repository, so the receiver's `import 'standardwebhooks'` resolves as it does in the clone.
  const dir = join(REPO_ROOT, 'test-results', `readme-receiver-${process.pid}`);
  let service: ReturnType<typeof startNpmStart>;
  let apiPort: number;
  beforeAll(async () => {
    ensureBuilt();
    mkdirSync(dir, { recursive: true });
    apiPort = await freePort();
    service = startNpmStart({ PORT: String(apiPort), DATA_DIR: join(dir, '.data'), DEMO_TASK_MS: '300' });
    await service.banner();
  }, 60_000);
  afterAll(async () => {
    await service?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it("runs as pasted: the receiver fetches its tenant's secret, verifies the signed callback and prints it once; a forged one, or one signed with another tenant's secret, gets 401", async () => {
    writeFileSync(join(dir, 'receiver.mjs'), readmeBlock('js', '// receiver.mjs').code);
    const receiverPort = await freePort();
    const recipe = readmeBlock('sh', '# the local webhook recipe')
      .code.replaceAll('127.0.0.1:3000', `127.0.0.1:${apiPort}`)
      .replaceAll('8080', String(receiverPort));
    const shell = spawn('bash', ['-c', recipe], { cwd: dir, env: { PATH: process.env.PATH ?? '' }, detached: true });
    const lines: string[] = [];
    createInterface({ input: shell.stdout! }).on('line', (line) => lines.push(line));
    createInterface({ input: shell.stderr! }).on('line', (line) => lines.push(line));
    const seen = (error: unknown) => {
      throw new Error(`${String(error)}; the recipe printed:\n${lines.join('\n')}`);
    };
    try {
      const accepted = await waitFor(() => lines.map((line) => /"request_id":"([0-9a-f-]{36})"/.exec(line)?.[1]).find(Boolean), { timeoutMs: 30_000 }).catch(seen);
      const delivered = await waitFor(() => lines.find((line) => line.startsWith('request.')), { timeoutMs: 30_000 }).catch(seen);
      const forged = await fetch(`http://127.0.0.1:${receiverPort}/hook`, {
        method: 'POST',
        body: '{"type":"request.complete"}',
        headers: { 'webhook-id': 'msg_x', 'webhook-timestamp': String(Math.floor(Date.now() / 1000)), 'webhook-signature': 'v1,AAAA' },
      });

      // Signed with another tenant's secret, derived from the same deployment secret: refused too.
      const deploymentSecret = readFileSync(join(dir, '.data', 'webhook-secret'), 'utf8').trim();
      const otherTenant = new Webhook(ownerWebhookSecret(deploymentSecret, 'another-key'));
      const at = new Date();
      const body = `{"type":"request.error","data":{"request_id":"${accepted}"}}`;
      const crossSigned = await fetch(`http://127.0.0.1:${receiverPort}/hook`, {
        method: 'POST',
        body,
        headers: { 'webhook-id': 'msg_y', 'webhook-timestamp': String(Math.floor(at.getTime() / 1000)), 'webhook-signature': otherTenant.sign('msg_y', at, body) },
      });

      expect(delivered).toBe(`request.complete ${accepted} complete `);
      expect(forged.status).toBe(401);
      expect(crossSigned.status).toBe(401);
      expect(lines.filter((line) => line.startsWith('request.'))).toEqual([delivered]);
    } finally {
      if (shell.pid !== undefined) process.kill(-shell.pid, 'SIGTERM');
    }
  });
});
