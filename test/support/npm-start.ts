import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { REPO_ROOT } from './stack.js';
import { waitFor } from './wait-for.js';

/**
 * `npm start` without its build step (call `ensureBuilt()` first), in a process group of its own,
 * its stdout and stderr kept as lines. `banner()` resolves once the banner is printed; `stop()`
 * sends the group SIGTERM and resolves when the process has exited.
 */
export function startNpmStart(env: Record<string, string>) {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/local/main.ts'], { cwd: REPO_ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  const lines: string[] = [];
  createInterface({ input: child.stdout! }).on('line', (line) => lines.push(line));
  createInterface({ input: child.stderr! }).on('line', (line) => lines.push(line));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return {
    child,
    lines,
    exited,
    banner: () => waitFor(() => (lines.some((line) => line.startsWith('Ctrl-C')) ? lines : undefined), { timeoutMs: 30_000 }),
    stop: async () => {
      if (child.pid !== undefined && child.exitCode === null) process.kill(-child.pid, 'SIGTERM');
      return exited;
    },
  };
}
