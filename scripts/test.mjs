// `npm test`: build (Terraform plans against the zip), then run the vitest suites, then the
// Terraform checks as a vitest process of their own, and print the one summary line CI reads:
// `tests: N passed, M failed`. The Terraform checks' output is printed when they end. With arguments (`npm test -- <filter>`)
// one vitest run gets them, as `vitest run` would.
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';

const RESULTS_DIR = 'test-results';
const TERRAFORM_TESTS = 'test/terraform/terraform.test.ts';
mkdirSync(RESULTS_DIR, { recursive: true });

const build = spawnSync(process.execPath, ['build.mjs'], { stdio: 'inherit' });
if (build.status !== 0) {
  console.log('tests: 0 passed, 1 failed');
  process.exit(1);
}

/** Starts `vitest run` with `args`, its JSON report in `resultsFile`; answers its exit code and, when `quiet`, its output. */
function vitest(args, resultsFile, { quiet = false } = {}) {
  rmSync(resultsFile, { force: true });
  const child = spawn('npx', ['vitest', 'run', '--reporter=default', '--reporter=json', `--outputFile.json=${resultsFile}`, ...args], {
    stdio: quiet ? ['ignore', 'pipe', 'pipe'] : 'inherit',
  });
  let output = '';
  child.stdout?.on('data', (chunk) => (output += chunk));
  child.stderr?.on('data', (chunk) => (output += chunk));
  return new Promise((resolve) => {
    child.on('error', (error) => resolve({ code: 1, output: `${output}\n${error.message}`, resultsFile }));
    child.on('close', (code) => resolve({ code, output, resultsFile }));
  });
}

/** Counts one run's passed and failed tests from its JSON report; a run that ended badly with no failure counted counts one. */
function tally({ code, resultsFile }) {
  let passed = 0;
  let failed = 0;
  try {
    const report = JSON.parse(readFileSync(resultsFile, 'utf8'));
    passed = report.numPassedTests;
    failed = report.numFailedTests + (report.numRuntimeErrorTestSuites ?? 0);
  } catch {
    failed = 1;
  }
  if (code !== 0 && failed === 0) failed = 1;
  return { passed, failed };
}

const filters = process.argv.slice(2);
// One after the other: side by side on two cores, the Terraform checks' load starved the sandbox
// tests' short leases (see vitest.config.ts).
const finished =
  filters.length > 0
    ? [await vitest(filters, `${RESULTS_DIR}/vitest.json`)]
    : [await vitest(['--exclude', TERRAFORM_TESTS], `${RESULTS_DIR}/vitest.json`), await vitest([TERRAFORM_TESTS], `${RESULTS_DIR}/terraform.json`, { quiet: true })];
for (const run of finished.slice(1)) process.stdout.write(`\n${run.output}`);

const totals = finished.map(tally).reduce((sum, one) => ({ passed: sum.passed + one.passed, failed: sum.failed + one.failed }));
console.log(`tests: ${totals.passed} passed, ${totals.failed} failed`);
process.exit(totals.failed === 0 ? 0 : 1);
