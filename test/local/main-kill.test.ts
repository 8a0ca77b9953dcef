import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pollUntilTerminal, submitAccepted } from '../support/http.js';
import { freePort } from '../support/ports.js';
import { REPO_ROOT, ensureBuilt } from '../support/stack.js';
import { waitFor } from '../support/wait-for.js';

const PROMPT = 'A hard kill of the whole local stack loses its in-memory async queue, never a request.';
const REQUESTS = 4;

/** Process ids in a process group (the service and the sandboxes it forked). */
function groupMembers(pgid: number): number[] {
  const ps = spawnSync('ps', ['-o', 'pid=', '-g', String(pgid)], { encoding: 'utf8' });
  return ps.stdout.split('\n').map((line) => Number(line.trim())).filter((pid) => pid > 0);
}

interface Service {
  child: ChildProcess;
  lines: string[];
  url: string;
  exited: Promise<void>;
}

/** `npm start` without its build step (done once in beforeAll): `tsx src/local/main.ts`. */
async function startService(env: Record<string, string>): Promise<Service> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/local/main.ts'], {
    cwd: REPO_ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    // Its own process group, so the test can find (and clean up) the sandboxes it forks.
    detached: true,
  });
  const lines: string[] = [];
  createInterface({ input: child.stdout! }).on('line', (line) => lines.push(line));
  createInterface({ input: child.stderr! }).on('line', (line) => lines.push(line));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = await waitFor(() => lines.map((line) => /^\s+API base URL\s+(http:\/\/127\.0\.0\.1:\d+)\s/.exec(line)?.[1]).find(Boolean), {
    timeoutMs: 30_000,
  }).catch((error: unknown) => {
    throw new Error(`main.ts did not start: ${String(error)}\n${lines.join('\n')}`);
  });
  return { child, lines, url, exited };
}

const claimedIds = (service: Service) =>
  service.lines
    .filter((line) => line.includes('"message":"claimed"'))
    .map((line) => (JSON.parse(line) as { request_id: string }).request_id);

describe('kill -9 of `npm start`, then a restart on the same data', () => {
  let dataDir: string;
  const started: Service[] = [];

  beforeAll(() => {
    ensureBuilt();
    dataDir = mkdtempSync(join(tmpdir(), 'async-router-kill-'));
  });
  afterAll(async () => {
    for (const service of started) {
      for (const pid of groupMembers(service.child.pid!)) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // already gone
        }
      }
    }
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('finishes every accepted request: none stays pending or processing', async () => {
    // A port chosen here: main.ts prints its URL only for the port it was given.
    // LOG_LEVEL=debug: the test reads the function's own JSON lines ("claimed"), which the quiet terminal leaves out.
    const env = { PORT: String(await freePort()), DATA_DIR: dataDir, DEMO_TASK_MS: '3000', WORKER_LEASE_SECONDS: '2', PROGRESS_INTERVAL_MS: '200', LOG_LEVEL: 'debug' };
    const first = await startService(env);
    started.push(first);
    const ids: string[] = [];
    for (let index = 0; index < REQUESTS; index += 1) ids.push(await submitAccepted(first.url, { prompt: PROMPT }));
    await waitFor(() => (claimedIds(first).length === REQUESTS ? true : undefined));
    expect(groupMembers(first.child.pid!).length).toBeGreaterThan(1); // the service and its sandboxes

    first.child.kill('SIGKILL');
    await first.exited;
    // The sandboxes die with their service (the IPC channel closes), as nothing finishes the work now.
    await waitFor(() => (groupMembers(first.child.pid!).length === 0 ? true : undefined), { timeoutMs: 5000 });

    const second = await startService(env);
    started.push(second);
    const views = await Promise.all(ids.map(async (id) => (await pollUntilTerminal(second.url, id, { timeoutMs: 30_000 })).final.body));

    expect(second.lines.some((line) => line.startsWith(`recovery: ${REQUESTS} request(s) were pending or processing`))).toBe(true);
    expect(views.map((view) => view.status)).toEqual(ids.map(() => 'complete'));
    expect(claimedIds(second).sort()).toEqual([...ids].sort());
    second.child.kill('SIGTERM');
    await second.exited;
    expect(second.child.exitCode).toBe(0);
  });
});
