import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Stack, StackOptions } from '../../src/local/stack.js';
import { RequestStatus } from '../../src/contract.js';
import { pollUntilTerminal, status, submitAccepted } from '../support/http.js';
import { readItem } from '../support/items.js';
import { createLogCollector } from '../support/logs.js';
import { ensureBuilt, startTestStack } from '../support/stack.js';
import { waitFor } from '../support/wait-for.js';

const PROMPT = 'Recovery re-sends the async events a hard stop lost. Every request still finishes.';
const LEASE_SECONDS = 2;

describe('recovery of in-flight requests at start', () => {
  let dataDir: string;
  let stack: Stack | undefined;
  const logs = createLogCollector();

  beforeAll(() => {
    ensureBuilt();
    dataDir = mkdtempSync(join(tmpdir(), 'async-router-recovery-'));
  });
  afterAll(async () => {
    await stack?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const start = (options: Partial<StackOptions> = {}) =>
    startTestStack({
      runtime: 'sandbox',
      dataDir,
      log: logs.log,
      ...options,
      env: { WORKER_LEASE_SECONDS: String(LEASE_SECONDS), DEMO_TASK_MS: '1000' },
    });

  it('re-invokes requests whose events were lost or whose worker died with the stack, and all complete', async () => {
    // Arrange: three requests accepted while the async queue loses every event, and one whose
    // worker is mid-work (lease held in the table) when the stack stops.
    stack = await start();
    stack.lambda.faults.dropEvents = true;
    const url = stack.url;
    const accepted = () => submitAccepted(url, { prompt: PROMPT });
    const lost = [await accepted(), await accepted(), await accepted()];
    stack.lambda.faults.dropEvents = false;
    const interrupted = await accepted();
    await waitFor(() => (logs.messages('claimed').length === 1 ? true : undefined));
    for (const id of lost) expect((await status(stack.url, id)).body.status).toBe(RequestStatus.Pending);
    await stack.stop();
    stack = undefined;
    const stoppedAt = Date.now();

    // Act
    stack = await start({ recover: true });

    // Assert
    expect(stack.recovery!.found).toBe(4);
    // How long is left of the lease depends on how long the restart took: the line says so, or
    // says nothing of it once the lease has ended.
    expect(logs.lines.find((line) => line.startsWith('recovery: 4 request(s)'))).toMatch(
      new RegExp(`^recovery: 4 request\\(s\\) were pending or processing at the last stop; re-invoking them( \\(some after their lease ends, in up to [1-${LEASE_SECONDS}] s\\))?$`),
    );
    for (const id of [...lost, interrupted]) expect((await pollUntilTerminal(stack.url, id)).final.body.status).toBe(RequestStatus.Complete);
    for (const id of lost) expect((await readItem(stack, id))!.attempt).toBe(1);
    const resumed = (await readItem(stack, interrupted))!;
    expect(resumed.attempt).toBe(2);
    // The second claim waited for the first worker's lease to run out.
    expect(Date.parse(resumed.updated_at)).toBeGreaterThan(stoppedAt);
    await stack.recovery!.done;
  });

  it('finds nothing to do on a clean start', async () => {
    await stack?.stop();
    stack = await start({ recover: true });
    expect(stack.recovery!.found).toBe(0);
    expect(logs.lines).toContain('recovery: no request was left pending or processing');
  });
});
