// `npm run test:stress [-- N]`: runs `npm test` N times (3 by default) in a row next to a process
// that keeps one core busy, as a loaded CI machine would, and reports each run's summary line and
// wall time. Exits non-zero unless every run was green.
import { spawn } from 'node:child_process';

const DEFAULT_RUNS = 3;
const runs = Number(process.argv[2] ?? DEFAULT_RUNS);
if (!Number.isInteger(runs) || runs < 1) {
  console.error(`test:stress: the number of runs must be a positive integer, not "${process.argv[2]}"`);
  process.exit(2);
}

/** Runs the suite once, its output shown as it comes; answers its summary line and wall time. */
function runSuite() {
  const started = process.hrtime.bigint();
  const child = spawn(process.execPath, ['scripts/test.mjs'], { stdio: ['ignore', 'pipe', 'inherit'] });
  let tail = '';
  child.stdout.on('data', (chunk) => {
    process.stdout.write(chunk);
    tail = (tail + chunk).slice(-1000);
  });
  return new Promise((resolve) => {
    child.on('close', (code) => {
      const summary = tail.match(/^tests: \d+ passed, \d+ failed$/m)?.[0] ?? 'tests: no summary line (the run crashed)';
      resolve({ code, summary, seconds: Number(process.hrtime.bigint() - started) / 1e9 });
    });
  });
}

const busy = spawn(process.execPath, ['-e', 'for (;;) {}'], { stdio: 'ignore' });
const results = [];
try {
  for (let run = 1; run <= runs; run += 1) results.push(await runSuite());
} finally {
  process.kill(busy.pid);
}

console.log(`\ntest:stress: ${runs} run(s) next to a busy process (pid ${busy.pid}, stopped)`);
results.forEach(({ summary, seconds }, index) => console.log(`run ${index + 1}: ${summary} in ${seconds.toFixed(0)} s`));
process.exit(results.every(({ code }) => code === 0) ? 0 : 1);
