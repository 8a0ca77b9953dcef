// `npm run bench`: every figure of issue 6 on the local stack, printed as a table and written to
// BENCHMARKS.md. Run by scripts/bench.mjs under tsx.
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
// @ts-expect-error -- plain ESM build script without types
import { buildLambda } from '../scripts/build/lambda.mjs';
import { buildPlainSdkBundle, measureColdImport, measureSecretsRead } from './cold-import.js';
import { PRICES, costPerMillion, type CostBreakdown } from './cost.js';
import { runLives, type RequestLife } from './lifecycle.js';
import { measureStatus, measureSubmit } from './overhead.js';
import { startBenchStack } from './stack.js';
import { median, percentile } from './stats.js';
import { measureThroughput } from './throughput.js';
import { measureDroppedEvents, measureIdleSweep, measureKilledWorker } from './sweeper.js';
import { initCodeBytes } from './init-code.js';
import { measureContinuationGaps, measureStepWrites } from './steps.js';
import { measureBigStream, measureEmitToClient } from './live-output.js';
import { measureWorstView, worstViewRow } from './view.js';
import { countListCalls, measureListPage, measureVerifyAlone, measureVerifyOverhead, measureWalks } from './sign-in.js';
import { createJwtVerifier } from '../src/auth/jwt-verifier.js';
import { LOCAL_AUDIENCE, startOidcIssuer } from '../src/local/oidc-issuer.js';

// Zip timestamps are local time; build.mjs pins the zone the same way.
process.env.TZ = 'UTC';
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
/**
 * `npm run bench -- --set NAME=VALUE ...` adds function environment variables to every stack, to
 * try a setting before changing its default; such a run prints its table but leaves BENCHMARKS.md alone.
 */
const overrides: Record<string, string> = {};
for (const [index, arg] of process.argv.entries()) {
  if (arg !== '--set') continue;
  const [name, ...value] = (process.argv[index + 1] ?? '').split('=');
  if (!name || value.length === 0) throw new Error('--set needs NAME=VALUE');
  overrides[name] = value.join('=');
}
const env = (values: Record<string, string>) => ({
  REQUESTS_TABLE: 'bench-requests',
  REQUEST_ID_SECRET: 'bench-secret-bench-secret-bench-secret',
  ...values,
  ...overrides,
});
const COLD_RUNS = 30;
const OVERHEAD_RUNS = 400;
const LIVES_PER_MODE = 6;
const DEFAULT_TASK_REQUESTS = 3;
const LONG_TASK_MS = 35_000;
const THROUGHPUT_REQUESTS = 300;
const THROUGHPUT_CONCURRENCY = 50;
/** The zip's target before the results bucket; its S3 client (loaded only where used) is reported on top. */
const ZIP_LIMIT_KIB = 160;
const DROPPED_REQUESTS = 20;
const SWEEP_INTERVAL_MS = 1000;
const KILLED_RUNS = 5;
const IDLE_SWEEPS = 20;
const STEP_REQUESTS = 3;
/** Tokens the live-output figure times (one every 20 ms). */
const LIVE_TOKENS = 200;
const CONTINUATION_REQUESTS = 4;
const VIEW_RUNS = 20;
const LIST_WALK_REQUESTS = 250;

interface Row {
  figure: string;
  measured: string;
  target: string;
  met: boolean | undefined;
}

const rows: Row[] = [];
const notes: string[] = [];
const ms = (value: number) => `${value.toFixed(value < 10 ? 2 : 1)} ms`;
const dollars = (value: number) => `$${value.toFixed(2)}`;
const log = (line: string) => process.stderr.write(`bench: ${line}\n`);

async function step<T>(name: string, run: () => Promise<T>): Promise<T> {
  const started = performance.now();
  log(`${name}…`);
  const result = await run();
  log(`${name} done in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  return result;
}

const started = performance.now();

// 1-2. The bundle, built fresh into a temporary folder (a concurrent `npm run build` cannot race it);
// the sandboxes of the sweeper figures run it too.
const outDir = mkdtempSync(join(tmpdir(), 'bench-lambda-'));
process.on('exit', () => rmSync(outDir, { recursive: true, force: true }));
{
  const built = await step('build', () => buildLambda({ root, outDir }));
  const distZip = join(root, 'dist/lambda.zip');
  const distHash = existsSync(distZip) ? createHash('sha256').update(readFileSync(distZip)).digest('base64') : undefined;
  notes.push(
    `The zip measured is built by \`buildLambda\` from the current source (sha256 ${built.sha256}); ` +
      (distHash === built.sha256 ? 'dist/lambda.zip is byte-identical.' : 'dist/lambda.zip differs (stale or missing: run `npm run build`).'),
  );
  const plainBundle = join(outDir, 'plain-sdk/index.mjs');
  await buildPlainSdkBundle(root, plainBundle);
  const cold = await step('cold import', () => measureColdImport(join(outDir, 'lambda/index.mjs'), plainBundle, COLD_RUNS));
  if (cold.ratio > 1.5) {
    notes.push(
      `**Cold import misses its target.** A CPU profile of the import shows ~20 ms of V8 compiling the ~250 KB of code ` +
        `the entry loads statically (the DynamoDB client, lib-dynamodb, Smithy core), ~17 ms of Node loading the built-ins it ` +
        `pulls in (crypto, http/https, stream, fs/promises, util) and the rest evaluating it and building the client. Bare ` +
        `node is ~${cold.bareMs.toFixed(0)} ms here, so 1.5× leaves ~${(cold.bareMs / 2).toFixed(0)} ms for all of that. ` +
        `Meeting it would take loading the SDK on the first request instead of at init, which moves the time rather than ` +
        `saving it (Lambda bills init like the handler, and a cold request pays both), so it is not done. The bundle ` +
        `changes did cut ~10 ms: no \`node:process\` ESM facade (which opened stdin), and no credential chain. In the same ` +
        `loop, a plain bundle of the same DynamoDB calls (bench/plain-sdk-entry.ts) imports at ${cold.plainRatio.toFixed(2)}× ` +
        `(${ms(cold.plainMs)}), so the handler's init is ${((1 - cold.importMs / cold.plainMs) * 100).toFixed(0)} % shorter ` +
        `than the plain bundle's; the issue's estimate of 1.8-2.0× for a plain bundle does not hold on this machine.`,
    );
  }
  rows.push({
    figure: 'handler cold import',
    measured: `${cold.ratio.toFixed(2)}× (${ms(cold.importMs)} vs bare node ${ms(cold.bareMs)}; plain SDK bundle ${cold.plainRatio.toFixed(2)}×, ${ms(cold.plainMs)}; median of ${cold.runs} each)`,
    target: 'ratio ≤ 1.5',
    met: cold.ratio <= 1.5,
  });
  const secrets = await step('secrets read at cold start', () => measureSecretsRead(join(outDir, 'lambda/index.mjs'), COLD_RUNS));
  rows.push({
    figure: 'secrets read at cold start',
    measured: `+${ms(secrets.ssmMs - secrets.plainMs)} (cold import ${ms(secrets.ssmMs)} reading them from SSM vs ${ms(secrets.plainMs)} given directly; median of ${secrets.runs} each)`,
    target: 'report',
    met: undefined,
  });
  const kib = built.zipBytes / 1024;
  const init = initCodeBytes(join(outDir, 'lambda'));
  rows.push({
    figure: 'deployment zip',
    measured:
      `${built.zipBytes} B = ${kib.toFixed(1)} KiB (${built.outputs} files); loaded at init: ${init.files} files, ` +
      `${(init.gzipBytes / 1024).toFixed(1)} KiB gzipped; the rest (S3 client, webhooks, Lambda client) loads when first used`,
    target: `≤ ${ZIP_LIMIT_KIB} KiB before the results bucket; report the change`,
    met: undefined,
  });
}

// 3-4. Handler overhead against its floor, in-process, no proxies; the task is instant so workers are short.
{
  const stack = await startBenchStack({ env: env({ DEMO_TASK_MS: '0' }) });
  try {
    const submit = await step('submit overhead', () => measureSubmit(stack, OVERHEAD_RUNS));
    const ratio = submit.handler.p50 / submit.floor.p50;
    rows.push({
      figure: 'submit overhead',
      measured:
        `p50 ${ms(submit.handler.p50)} vs floor ${ms(submit.floor.p50)} = ${ratio.toFixed(2)}×; ` +
        `p99 ${ms(submit.handler.p99)} vs ${ms(submit.floor.p99)} = ${(submit.handler.p99 / submit.floor.p99).toFixed(2)}× (${submit.runs} each)`,
      target: 'p50 ratio ≤ 1.3',
      met: ratio <= 1.3,
    });
    const status = await step('status overhead', () => measureStatus(stack, OVERHEAD_RUNS));
    const statusRatio = status.handler.p50 / status.floor.p50;
    rows.push({
      figure: 'status overhead',
      measured: `p50 ${ms(status.handler.p50)} vs floor ${ms(status.floor.p50)} = ${statusRatio.toFixed(2)}× (p99 ${ms(status.handler.p99)} vs ${ms(status.floor.p99)}, ${status.runs} each)`,
      target: 'p50 ratio ≤ 1.3',
      met: statusRatio <= 1.3,
    });
  } finally {
    await stack.stop();
  }
}

// 5. AWS calls over the whole life of a default `assess` request (DEMO_TASK_MS default 3000), long-poll client.
const sum = (counts: Record<string, number>, pattern: RegExp) =>
  Object.entries(counts).filter(([op]) => pattern.test(op)).reduce((total, [, n]) => total + n, 0);
const medianOf = (lives: RequestLife[], pick: (life: RequestLife) => number) => median(lives.map(pick));
{
  const stack = await startBenchStack({ env: env({}), count: true });
  try {
    const lives = await step('AWS calls (3 s task)', () => runLives(stack, ['long-poll'], DEFAULT_TASK_REQUESTS));
    const invokes = medianOf(lives, (life) => sum(life.invokes, /./));
    const progress = medianOf(lives, (life) => sum(life.dynamo, /^UpdateItem:(progress|heartbeat)$/));
    const otherWrites = medianOf(lives, (life) => sum(life.dynamo, /^(PutItem|DeleteItem|UpdateItem:(claim|finish|other-status))$/));
    const reads = medianOf(lives, (life) => sum(life.dynamo, /^GetItem$/));
    const statusCalls = medianOf(lives, (life) => life.statusCalls);
    const maxProgress = Math.ceil(stack.config.demoTaskMs / stack.config.progressIntervalMs);
    const breakdown = Object.entries(lives[0]!.dynamo).map(([op, n]) => `${op} ${n}`).join(', ');
    rows.push({
      figure: 'AWS calls per request (assess, 3 s)',
      measured:
        `${invokes} invoke; ${otherWrites} writes + ${progress} coalesced progress writes; ${reads} consistent reads ` +
        `(status handler for ${statusCalls} client calls incl. long-poll re-reads, and the worker's cancel checks) — e.g. ${breakdown}`,
      target: `≤ 1 invoke, ≤ 4 writes + ≤ ${maxProgress} progress (1 per ${stack.config.progressIntervalMs} ms)`,
      met: invokes <= 1 && otherWrites <= 4 && progress <= maxProgress,
    });
  } finally {
    await stack.stop();
  }
}

// 6-7, 9. A 35 s task: long-poll client against a 2 s poll loop, all at once.
{
  const stack = await startBenchStack({ env: env({ DEMO_TASK_MS: String(LONG_TASK_MS) }), count: true });
  try {
    const lives = await step(`35 s task, ${LIVES_PER_MODE} long-poll + ${LIVES_PER_MODE} poll-loop clients`, () =>
      runLives(stack, ['long-poll', 'poll-2s'], LIVES_PER_MODE),
    );
    const longPoll = lives.filter((life) => life.mode === 'long-poll');
    const pollLoop = lives.filter((life) => life.mode === 'poll-2s');
    const delays = (group: RequestLife[]) => group.map((life) => life.notifyDelayMs);
    const lpDelay = median(delays(longPoll));
    rows.push({
      figure: 'notification delay (35 s task)',
      measured:
        `long-poll p50 ${ms(lpDelay)} (max ${ms(percentile(delays(longPoll), 100))}); ` +
        `2 s poll loop p50 ${ms(median(delays(pollLoop)))} (max ${ms(percentile(delays(pollLoop), 100))}); ${LIVES_PER_MODE} requests each`,
      target: 'long-poll p50 ≤ 300 ms',
      met: lpDelay <= 300,
    });
    if (lpDelay > 300) {
      notes.push(
        `**Long-poll notification delay misses its target.** A held \`GET ?wait=\` re-reads the item every ` +
          `LONG_POLL_INTERVAL_MS (${stack.config.longPollIntervalMs} ms), so a terminal write waits 0-${stack.config.longPollIntervalMs} ms ` +
          `to be noticed (half that at the median) before the answer's own trip. \`npm run bench -- --set LONG_POLL_INTERVAL_MS=250\` ` +
          `measured p50 209 ms (max 234 ms) for +$7.8 per million requests in reads: see the recommended default change.`,
      );
    }
    const lpCalls = medianOf(longPoll, (life) => life.statusCalls);
    rows.push({
      figure: 'status requests per request (35 s task)',
      measured: `long-poll ${lpCalls} (all: ${longPoll.map((life) => life.statusCalls).join(', ')}); 2 s poll loop ${medianOf(pollLoop, (life) => life.statusCalls)}`,
      target: 'long-poll ≤ 5',
      met: lpCalls <= 5,
    });
    const costs = (group: RequestLife[]): CostBreakdown => {
      const each = group.map(costPerMillion);
      const key = (name: keyof CostBreakdown) => median(each.map((cost) => cost[name]));
      return {
        apiGateway: key('apiGateway'),
        lambdaRequests: key('lambdaRequests'),
        lambdaDuration: key('lambdaDuration'),
        dynamoWrites: key('dynamoWrites'),
        dynamoReads: key('dynamoReads'),
        total: key('total'),
      };
    };
    const lpCost = costs(longPoll);
    const plCost = costs(pollLoop);
    const describeCost = (cost: CostBreakdown) =>
      `${dollars(cost.total)} (API GW ${dollars(cost.apiGateway)}, Lambda req ${dollars(cost.lambdaRequests)}, ` +
      `Lambda GB-s ${dollars(cost.lambdaDuration)}, DDB writes ${dollars(cost.dynamoWrites)}, reads ${dollars(cost.dynamoReads)})`;
    rows.push({
      figure: 'cost per million requests (35 s task, 256 MB arm64)',
      measured: `long-poll ${describeCost(lpCost)}; 2 s poll loop ${describeCost(plCost)}`,
      target: 'report, against a 2 s poll loop',
      met: undefined,
    });
    const statusBilled = (group: RequestLife[]) => median(group.map((life) => life.executions.status?.billedMs ?? 0));
    const workerBilled = median(lives.map((life) => life.executions.worker?.billedMs ?? 0));
    notes.push(
      `Cost inputs (medians per request): long-poll ${lpCalls} status calls billed ${statusBilled(longPoll)} ms in all, ` +
        `${medianOf(longPoll, (life) => sum(life.dynamo, /^GetItem$/))} reads; 2 s loop ${medianOf(pollLoop, (life) => life.statusCalls)} status calls billed ` +
        `${statusBilled(pollLoop)} ms, ${medianOf(pollLoop, (life) => sum(life.dynamo, /^GetItem$/))} reads; the worker is billed ${workerBilled} ms either way. ` +
        `Long-poll is the dearer client: Lambda bills a held status call for its whole wait (about the task's length in all), ` +
        `which outweighs the API Gateway calls it saves; it buys a faster answer and fewer calls, not a smaller bill.`,
    );
  } finally {
    await stack.stop();
  }
}

// 8. Throughput.
{
  const stack = await startBenchStack({ env: env({ DEMO_TASK_MS: '0' }) });
  try {
    const result = await step('throughput', () => measureThroughput(stack, THROUGHPUT_REQUESTS, THROUGHPUT_CONCURRENCY));
    rows.push({
      figure: 'throughput (local stack)',
      measured:
        `${result.perSecond.toFixed(0)} req/s submitted and seen complete by the client ` +
        `(${result.serverPerSecond.toFixed(0)} req/s by terminal write); ${result.completed}/${result.requests} complete, ` +
        `${result.concurrency} concurrent, DEMO_TASK_MS=0`,
      target: 'report; no request lost',
      met: result.completed === result.requests,
    });
  } finally {
    await stack.stop();
  }
}

// Sign-in (issue 19): a token's verification on a status read, a page of the list, walks while submitting.
{
  const issuer = await startOidcIssuer();
  const jwtEnv = env({ DEMO_TASK_MS: '0', AUTH: 'jwt', JWT_ISSUER: issuer.issuer, JWT_AUDIENCE: LOCAL_AUDIENCE });
  const keyed = await startBenchStack({ env: env({ DEMO_TASK_MS: '0' }) });
  const signed = await startBenchStack({ env: jwtEnv });
  const counted = await startBenchStack({ env: jwtEnv, count: true });
  const token = (sub: string) => issuer.sign({ sub, aud: LOCAL_AUDIENCE });
  try {
    const verify = await step('token verification on status', async () => measureVerifyOverhead(keyed, signed, await token('alice'), OVERHEAD_RUNS));
    const added = verify.signedP50 - verify.keyedP50;
    const alone = await measureVerifyAlone(createJwtVerifier({ issuer: issuer.issuer, audience: LOCAL_AUDIENCE }), await token('alice'), OVERHEAD_RUNS);
    rows.push({
      figure: 'bearer token verification (status read)',
      measured: `status p50 ${ms(verify.signedP50)} with a token (AUTH=jwt, keys cached) vs ${ms(verify.keyedP50)} without (AUTH=api_key): ${added >= 0 ? '+' : ''}${ms(added)}; the verification alone p50 ${ms(alone)} (${verify.runs} each)`,
      target: '≤ +1 ms at p50',
      met: added <= 1,
    });
    const page = await step('a page of GET /v1/requests', async () => measureListPage(signed, await token('bob'), OVERHEAD_RUNS));
    const calls = await countListCalls(counted, await token('carol'));
    const pageRatio = page.listP50 / page.statusP50;
    rows.push({
      figure: 'GET /v1/requests, a page of 20',
      measured: `p50 ${ms(page.listP50)} vs a status read ${ms(page.statusP50)} = ${pageRatio.toFixed(2)}×; DynamoDB calls on the wire: ${Object.entries(calls).map(([op, n]) => `${op} ${n}`).join(', ')} (${page.runs} each)`,
      target: '1 Query; ≤ 2× a status read at p50',
      met: pageRatio <= 2 && calls.Query === 1 && Object.keys(calls).length === 1,
    });
    const walks = await step(`${LIST_WALK_REQUESTS} requests from two users while listing`, async () => measureWalks(signed, [await token('walker'), await token('other')], LIST_WALK_REQUESTS));
    rows.push({
      figure: `listing while two users submit ${LIST_WALK_REQUESTS} requests`,
      measured:
        `${walks.walks} walks (${walks.pages} pages of 20): ${walks.duplicates} listed twice, ${walks.missing} of the walker's accepted before a walk missing from it, ` +
        `${walks.foreign} of the other user's listed; the last walk listed ${walks.listedAtEnd} of the walker's ${walks.accepted}`,
      target: "each of the caller's exactly once, none of the other's",
      met: walks.duplicates === 0 && walks.missing === 0 && walks.foreign === 0 && walks.listedAtEnd === walks.accepted,
    });
  } finally {
    await keyed.stop();
    await signed.stop();
    await counted.stop();
    await issuer.stop();
  }
}

// 10-11. The sweeper: lost events, and a killed worker with nothing left to retry it.
{
  const dropped = await step(`sweeper: ${DROPPED_REQUESTS} requests whose events were all lost`, () =>
    measureDroppedEvents(env({}), DROPPED_REQUESTS, SWEEP_INTERVAL_MS),
  );
  const bound = dropped.graceMs + dropped.intervalMs + dropped.taskMs;
  rows.push({
    figure: 'lost events (dropEvents on every dispatch)',
    measured:
      `${dropped.completed}/${dropped.requests} complete through the sweeper's re-dispatch; submit to complete p50 ` +
      `${ms(median(dropped.endMs))}, max ${ms(percentile(dropped.endMs, 100))} (grace ${dropped.graceMs} ms, sweep every ${dropped.intervalMs} ms, task ${dropped.taskMs} ms)`,
    target: `every request completes, within grace + one sweep + the task (${bound} ms) plus the run`,
    met: dropped.completed === dropped.requests,
  });
  const killed = await step(`sweeper: ${KILLED_RUNS} workers killed with no attempt left`, () =>
    measureKilledWorker(env({}), join(outDir, 'lambda/index.mjs'), KILLED_RUNS, SWEEP_INTERVAL_MS),
  );
  const worst = percentile(killed.webhookMs, 100);
  rows.push({
    figure: 'killed worker: terminal state and webhook',
    measured:
      `after the lease ran out: worker_lost written p50 ${ms(median(killed.endedMs))} (max ${ms(percentile(killed.endedMs, 100))}), ` +
      `signed webhook received p50 ${ms(median(killed.webhookMs))} (max ${ms(worst)}); ${killed.runs} runs, sweep every ${killed.intervalMs} ms, no Lambda retry`,
    target: `within two sweep intervals (${2 * killed.intervalMs} ms)`,
    met: worst <= 2 * killed.intervalMs,
  });
  const idle = await step(`sweeper: ${IDLE_SWEEPS} idle runs`, () => measureIdleSweep(env({}), join(outDir, 'lambda/index.mjs'), IDLE_SWEEPS));
  rows.push({
    figure: 'idle sweep (nothing due)',
    measured: `billed p50 ${median(idle.warmBilledMs)} ms (max ${percentile(idle.warmBilledMs, 100)} ms), ${median(idle.logBytes)} log bytes a run; ${idle.runs} warm runs in a sandbox`,
    target: 'report (terraform/README.md prices a month of them)',
    met: undefined,
  });
}

// 12-13. Durable steps: what a checkpoint and a continuation cost.
{
  const inOne = await step(`steps: ${STEP_REQUESTS} pipeline requests, five steps in one invocation`, () => measureStepWrites(env({}), 900_000, 500, STEP_REQUESTS));
  const oneEach = await step(`steps: ${STEP_REQUESTS} pipeline requests, one step an invocation`, () => measureStepWrites(env({}), 3000, 10_000, STEP_REQUESTS));
  rows.push({
    figure: 'step checkpoint (pipeline, 5 steps)',
    measured:
      `${inOne.checkpoints} checkpoint writes for 5 steps (${(inOne.checkpoints / 5).toFixed(1)} a step), besides ${inOne.claims} claim and ${inOne.otherWrites} other writes; ` +
      `item ${inOne.itemBytes} B at the end, so each checkpoint write ≤ ${Math.ceil(inOne.itemBytes / 1024)} WRU; ${STEP_REQUESTS} requests, medians`,
    target: 'report: 1 write a step',
    met: inOne.checkpoints === 5,
  });
  const gaps = await step(`steps: ${CONTINUATION_REQUESTS} pipeline requests, continuations in sandboxes`, () =>
    measureContinuationGaps(env({}), join(outDir, 'lambda/index.mjs'), CONTINUATION_REQUESTS),
  );
  const describeGaps = (values: number[]) => (values.length === 0 ? 'none' : `p50 ${ms(median(values))} (max ${ms(percentile(values, 100))}, ${values.length})`);
  rows.push({
    figure: 'continuation (pipeline, one step an invocation)',
    measured:
      `per continuation ${(oneEach.handBacks / 4).toFixed(1)} hand-back write + ${((oneEach.invokes - 1) / 4).toFixed(1)} Invoke + ${((oneEach.claims - 1) / 4).toFixed(1)} claim ` +
      `(a request: ${oneEach.handBacks} hand-backs, ${oneEach.invokes} Invokes, ${oneEach.claims} claims, ${oneEach.checkpoints} checkpoints); ` +
      `hand-back to next claim: warm ${describeGaps(gaps.warmMs)}, cold ${describeGaps(gaps.coldMs)}; a cold start's init here ${describeGaps(gaps.initMs)}`,
    target: 'report',
    met: undefined,
  });
}

// 15-16. Live output: emit to client over a real stream, and a 1 MB stream through cuts and a killed worker.
{
  const live = await step('live output: emit to client', () => measureEmitToClient(LIVE_TOKENS));
  rows.push({
    figure: 'live output: emit to client',
    measured: `p50 ${ms(live.p50Ms)}, p99 ${ms(live.p99Ms)} over ${live.tokens} tokens (one every 20 ms); ${live.writesPerSecond.toFixed(1)} output writes a second`,
    target: 'p50 ≤ 300 ms; at most 4 writes a second',
    met: live.p50Ms <= 300 && live.writesPerSecond <= 4.5,
  });
  const big = await step('live output: 1 MB, 5 disconnects, a killed worker', () => measureBigStream(join(outDir, 'lambda/index.mjs')));
  rows.push({
    figure: 'live output: 1 MB streamed, 5 disconnects, worker killed',
    measured: `${big.bytes} bytes, ${big.disconnects} disconnects, ${big.killed} busy sandboxes killed (the worker and the stream's own call); client text equals result: ${big.identical}; seqs without gap or repeat: ${big.gaplessSeqs}`,
    target: 'identical, no gap, no duplicate',
    met: big.identical && big.gaplessSeqs,
  });
}

// 14. The largest view a request can have, and its webhook (`npm run bench:view` runs only this).
rows.push(worstViewRow(await step('largest view', () => measureWorstView(VIEW_RUNS))));

// The report.
const totalSeconds = (performance.now() - started) / 1000;
const verdict = (met: boolean | undefined) => (met === undefined ? 'reported' : met ? 'yes' : '**NO**');
const table = [
  '| figure | measured | target | met |',
  '|---|---|---|---|',
  ...rows.map((row) => `| ${row.figure} | ${row.measured} | ${row.target} | ${verdict(row.met)} |`),
].join('\n');
const machine = `${cpus()[0]?.model.trim() ?? 'unknown CPU'}, ${cpus().length} cores, Node.js ${process.version}, ${process.platform}/${process.arch}`;
const date = new Date().toISOString();

console.log(`\n${table}\n`);
console.log(`machine: ${machine}; ${date}; bench took ${totalSeconds.toFixed(0)} s`);

const markdown = `# Benchmarks

Written by \`npm run bench\` (scripts/bench.mjs → bench/main.ts); do not edit by hand.

- **Date:** ${date}
- **Machine:** ${machine}
- **Run time:** ${totalSeconds.toFixed(0)} s

${table}

## Method

- Every figure is taken on the local stack (dynalite, the local Lambda Invoke service, the
  API-Gateway-like front, all on 127.0.0.1) in one run; medians unless said otherwise, p99 by
  nearest rank. Comparisons are measured side by side in the same run, alternating A/B and
  swapping which goes first every round.
- **Cold import:** wall time of \`node -e "import('<bundle>/index.mjs')"\` against \`node -e 0\`,
  ${COLD_RUNS} runs each after 3 warm-ups, same environment (REQUESTS_TABLE, AWS_REGION and
  credentials in env vars, as Lambda sets them), stdin/stdout ignored.
- **Zip:** bytes of the deterministic zip \`buildLambda\` writes (the same function \`npm run build\` runs).
- **Submit / status overhead:** the handler function called in-process with a full REST API proxy
  event (the HTTP front is not measured), against its floor: for submit one conditional PutItem of
  the same item plus one \`Event\` Invoke of the same payload; for status one strongly consistent
  GetItem. The floor uses the very SDK client objects injected into the handler, to the same
  endpoints. ${OVERHEAD_RUNS} measured runs each after 30 warm-ups; after each submit (and each
  floor submit) the Lambda service is drained so the worker both start never overlaps a measurement.
- **AWS calls:** counting HTTP proxies in front of dynalite (by \`X-Amz-Target\`, UpdateItems
  classified by their expression: claim, progress, finish) and of the Lambda Invoke API; each call
  is attributed to its request by the key in its body. ${DEFAULT_TASK_REQUESTS} default \`assess\`
  requests (DEMO_TASK_MS 3000, PROGRESS_INTERVAL_MS 1000) followed by the typed client's \`wait()\`.
- **Notification delay, requests per request, cost:** ${LIVES_PER_MODE} requests with
  \`wait()\` (long-poll, \`?wait=20\`) and ${LIVES_PER_MODE} with a 2 s poll loop (ask, then ask
  again 2 s after each answer; first look at phases spread over 2 s), all at once, DEMO_TASK_MS
  35000, through the HTTP front with the typed client (src/client). Delay = when the client holds
  the terminal answer minus the item's \`updated_at\` (same clock). Status calls counted by a
  wrapping \`fetch\`.
- **Cost:** per request, from the calls counted above and the billed duration (1 ms steps) of
  every execution the Lambda service ran for it: API Gateway REST ${dollars(PRICES.apiGatewayRestPerRequest * 1e6)}/M
  requests; Lambda arm64 ${PRICES.lambdaArmPerGbSecond} $/GB-s at 256 MB + ${dollars(PRICES.lambdaPerRequest * 1e6)}/M
  requests; DynamoDB on-demand $${(PRICES.dynamoPerWriteUnit * 1e6).toFixed(3)}/M WRU (items < 1 KB: 1 WRU a write) and
  $${(PRICES.dynamoPerReadUnit * 1e6).toFixed(3)}/M RRU (strongly consistent read ≤ 4 KB = 1 RRU). us-east-1, first
  pricing tier, no free tier, data transfer and CloudWatch Logs not included. Prices checked
  against aws.amazon.com/api-gateway/pricing ($3.50/M for the first 333 M REST calls),
  aws.amazon.com/lambda/pricing (arm64 $0.0000133334/GB-s first 7.5 B GB-s, $0.20/M requests)
  and aws.amazon.com/dynamodb/pricing/on-demand ($0.625/M WRU, $0.125/M RRU after the
  November 2024 cut; a strongly consistent read of ≤ 4 KB is one RRU).
- **Lost events:** ${DROPPED_REQUESTS} requests submitted at once with the Lambda service's
  \`dropNextEvents\` fault set to ${DROPPED_REQUESTS}, so every dispatch is accepted (202) and never
  run; the schedule (\`{"action":"sweep"}\` as an async event) every ${SWEEP_INTERVAL_MS} ms,
  SWEEP_GRACE_SECONDS 1; time from each submit's answer to its terminal write (\`updated_at\`).
- **Killed worker:** the built bundle in sandboxes, MAX_ATTEMPTS 1, WORKER_LEASE_SECONDS 1, no
  async retry, a sweep every ${SWEEP_INTERVAL_MS} ms; a request with a \`callback_url\` on a loopback
  receiver that verifies the signature; its sandbox SIGKILLed 300 ms into the task; from the lease
  end read after the kill (when \`worker_lost\` becomes true) to the terminal write and to the
  webhook's arrival. ${KILLED_RUNS} runs one after another.
- **Idle sweep:** ${IDLE_SWEEPS} sweeps of an empty table one after another (after one cold
  run), the bundle in a sandbox; billed duration from the Lambda service's REPORT line, log bytes
  = every line the invocation wrote (the function's and START/END/REPORT), newlines included.
- **Step checkpoint:** ${STEP_REQUESTS} \`pipeline\` requests one after another (DEMO_TASK_MS 500, five
  100 ms steps, in-process, the counting proxies of *AWS calls*); checkpoint writes are the
  UpdateItems that set a step. Item size as DynamoDB counts it (UTF-8 names and values).
- **Continuation:** the same with a 3 s function timeout and 2 s steps (DEMO_TASK_MS 10000), so
  each step runs in its own invocation and four continuations follow the first; then
  ${CONTINUATION_REQUESTS} such requests on the built bundle in sandboxes (an environment is a
  process, kept warm between invocations like Lambda's), timing each continuation from the
  worker's "continues in a fresh invocation" log line (after its hand-back write) to the next
  worker's "claimed" line, split by whether the claiming invocation started cold (an Init
  Duration in its REPORT line). Locally the worker that dispatched has usually finished by the
  time its event runs, so continuations find a warm environment; in AWS the next one may start
  cold, and then adds about a cold start's init (given from every cold start of the run).
- **Largest view:** a complete request built in memory with every field a view shows at its
  longest (MAX_FILES at its ceiling, 200-character file names and content types, an inline result
  at INLINE_RESULT_MAX_BYTES's ceiling, the longest progress message and step name in characters
  JSON escapes 6-fold), presented by the code the status route and webhooks use (src/requests/present.ts,
  src/callbacks/notify.ts), its URLs signed for 7 days with a 4,096-byte session token (STS's cap);
  bytes of the JSON; build time of the whole view, ${VIEW_RUNS} runs after a first that loads the S3 SDK.
- **Sign-in:** two in-process stacks, one AUTH=api_key (no key: the anonymous tenant) and one
  AUTH=jwt verifying RS256 tokens of a local OIDC issuer (discovery and key set fetched once, in
  the warm-up); \`GET /v1/status/{id}\` through each handler alternately, ${OVERHEAD_RUNS} each. A page:
  \`GET /v1/requests?limit=20\` of a user with 40 requests against a status read of one of them,
  same stack and token, alternately; its DynamoDB calls counted on the wire on a third stack.
  Walks: ${LIST_WALK_REQUESTS} submits over the HTTP front, alternating two users, 8 at a time,
  while the first user walks every page of their list again and again; a walk must list every
  request of theirs accepted before it began, once, and none of the other user's.
- **Throughput:** ${THROUGHPUT_REQUESTS} requests, ${THROUGHPUT_CONCURRENCY} clients at a time, each
  \`submit\` then \`wait()\`, DEMO_TASK_MS 0, in-process runtime; every request is read back at the end
  and must be \`complete\`.

## Notes

${notes.map((note) => `- ${note}`).join('\n')}
`;
if (Object.keys(overrides).length === 0) {
  writeFileSync(join(root, 'BENCHMARKS.md'), markdown);
  log(`wrote BENCHMARKS.md (${totalSeconds.toFixed(0)} s)`);
} else {
  log(`overrides ${JSON.stringify(overrides)}: BENCHMARKS.md left as it was`);
}
// Keep-alive sockets of the SDK clients would otherwise hold the process open for a while.
process.exit(0);
