import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { REPO_ROOT } from './stack.js';
import { waitFor } from './wait-for.js';

/**
 * `npm start` without its build step, in a process group of its own, every line it prints (stdout
 * and stderr) collected. LOG_LEVEL starts unset, whatever the caller's shell says.
 */
export function startNpmStart(env: Record<string, string>) {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/local/main.ts'], {
    cwd: REPO_ROOT,
    env: { ...process.env, LOG_LEVEL: '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  const lines: string[] = [];
  createInterface({ input: child.stdout! }).on('line', (line) => lines.push(line));
  createInterface({ input: child.stderr! }).on('line', (line) => lines.push(line));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return {
    child,
    lines,
    exited,
    /** Resolves once the banner is printed, with the number of lines printed so far. */
    banner: () => waitFor(() => (lines.some((line) => line.startsWith('Ctrl-C')) ? lines.length : undefined), { timeoutMs: 30_000 }),
    /** SIGTERM to the whole group, as Ctrl-C would; resolves with the exit code. */
    async stop() {
      if (child.exitCode === null && child.pid !== undefined) process.kill(-child.pid, 'SIGTERM');
      return exited;
    },
    /** The port the banner prints for `name` (DynamoDB, Lambda, S3). */
    port: (name: string) => Number(lines.map((line) => new RegExp(`^\\s+${name}\\s+http://127\\.0\\.0\\.1:(\\d+)`).exec(line)?.[1]).find(Boolean)),
  };
}
