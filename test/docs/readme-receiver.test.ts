import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { Webhook } from 'standardwebhooks';
import { afterAll, describe, expect, it } from 'vitest';
import { ownerWebhookSecret } from '../../src/callbacks/owner-secret.js';
import type { Stack } from '../../src/local/stack.js';
import { submitAccepted } from '../support/http.js';
import { freePort } from '../support/ports.js';
import { REPO_ROOT, startTestStack } from '../support/stack.js';
import { waitFor } from '../support/wait-for.js';

/** The README's receiver, exactly as printed: the code block that starts `// receiver.mjs`. */
function readmeReceiver(): string {
  const readme = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8');
  const block = /```js\n(\/\/ receiver\.mjs[\s\S]*?)```/.exec(readme);
  if (block === null) throw new Error('README.md has no ```js block starting with // receiver.mjs');
  return block[1]!;
}

describe("the README's webhook receiver", () => {
  // Inside the repository, so its `import 'standardwebhooks'` resolves as it would in a user's project.
  const dir = join(REPO_ROOT, 'test-results', `readme-receiver-${process.pid}`);
  let stack: Stack | undefined;
  afterAll(async () => {
    await stack?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it("runs as copied, fetches its tenant's secret, verifies what the service sends, and refuses what it did not sign or another tenant's secret signed", async () => {
    stack = await startTestStack();
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'receiver.mjs'), readmeReceiver());
    const port = await freePort();
    const child = spawn(process.execPath, ['receiver.mjs'], { cwd: dir, env: { ...process.env, API_URL: stack.url, PORT: String(port) } });
    const lines: string[] = [];
    createInterface({ input: child.stdout! }).on('line', (line) => lines.push(line));
    try {
      await waitFor(async () => (await fetch(`http://127.0.0.1:${port}/`, { method: 'POST', body: '{}' }).catch(() => undefined))?.status);
      const forged = await fetch(`http://127.0.0.1:${port}/`, {
        method: 'POST',
        body: '{"type":"request.complete"}',
        headers: { 'webhook-id': 'msg_x', 'webhook-timestamp': String(Math.floor(Date.now() / 1000)), 'webhook-signature': 'v1,AAAA' },
      });
      expect(forged.status).toBe(401);
      // Signed with another tenant's secret: refused too.
      const otherTenant = new Webhook(ownerWebhookSecret(stack.config.webhookSecret!, 'another-key'));
      const at = new Date();
      const body = '{"type":"request.error","data":{}}';
      const crossSigned = await fetch(`http://127.0.0.1:${port}/`, {
        method: 'POST',
        body,
        headers: { 'webhook-id': 'msg_y', 'webhook-timestamp': String(Math.floor(at.getTime() / 1000)), 'webhook-signature': otherTenant.sign('msg_y', at, body) },
      });
      expect(crossSigned.status).toBe(401);

      const id = await submitAccepted(stack.url, { prompt: 'Receivers verify. Then they act.', callback_url: `http://127.0.0.1:${port}/hook` });
      await waitFor(() => (lines.length > 0 ? true : undefined));
      expect(lines).toEqual([`request.complete ${id} complete `]);
    } finally {
      child.kill();
    }
  });
});
