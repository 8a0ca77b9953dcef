// `npm run soak`: issue 18's load check. 300 mixed `pipeline`/`report` requests, each with a
// webhook, on the sandbox stack with a 10 s function timeout (STEP_BUDGET_SECONDS is 60, so every pipeline step runs in an
// invocation of its own, through continuations). Passes only if every request completes, every
// step of every request started exactly once, and every webhook ended `delivered`.
import { createServer } from 'node:http';
import { appendFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LOCAL_TABLE_NAME } from '../src/config.js';
import { startStack } from '../src/local/stack.js';
import { listen, close } from '../src/local/listen.js';
import { sleep } from './stats.js';

const REQUESTS = Number(process.env.SOAK_REQUESTS ?? 300);
const SUBMIT_AT_ONCE = 20;
const LAMBDA_TIMEOUT_MS = 10_000;
// The demo's default pace: a report (not stepped) then leaves most of a 10 s invocation to spare on a loaded machine.
const DEMO_TASK_MS = 3_000;
/** The whole run's bound: the soak stops itself, whatever happens. */
const RUN_LIMIT_MS = 20 * 60_000;
const POLL_MS = 500;

interface View {
  request_id: string;
  status: string;
  error_code?: string;
  callback?: { status: string; attempts: number };
}

async function main(): Promise<number> {
  const dataDir = mkdtempSync(join(tmpdir(), 'soak-'));
  const deliveries = new Map<string, number>();
  const receiver = createServer((request, response) => {
    const id = String(request.headers['webhook-id']);
    deliveries.set(id, (deliveries.get(id) ?? 0) + 1);
    request.resume().on('end', () => response.writeHead(200).end());
  });
  const receiverUrl = await listen(receiver, 0);
  const stepStarts = new Map<string, number>();
  const stack = await startStack({
    env: { REQUESTS_TABLE: LOCAL_TABLE_NAME, DEMO_TASK_MS: String(DEMO_TASK_MS) },
    dataDir,
    runtime: 'sandbox',
    lanes: { events: 8, sync: 4 },
    lambdaTimeoutMs: LAMBDA_TIMEOUT_MS,
    sweepIntervalMs: 1000,
    log(line) {
      if (process.env.SOAK_LOG !== undefined && !line.includes('"level":"info"')) appendFileSync(process.env.SOAK_LOG, `${line}\n`);
      if (!line.includes('"step started"')) return;
      const entry = JSON.parse(line.slice(line.indexOf('{'))) as { request_id: string; step: string };
      const key = `${entry.request_id} ${entry.step}`;
      stepStarts.set(key, (stepStarts.get(key) ?? 0) + 1);
    },
  });
  const started = Date.now();
  try {
    const ids: string[] = [];
    for (let index = 0; index < REQUESTS; index += SUBMIT_AT_ONCE) {
      const batch = Array.from({ length: Math.min(SUBMIT_AT_ONCE, REQUESTS - index) }, async (_, offset) => {
        const task = (index + offset) % 2 === 0 ? 'pipeline' : 'report';
        const response = await fetch(`${stack.url}/v1/invoke`, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json' },
          body: JSON.stringify({ task, prompt: `Soak ${index + offset}. Checkpoints keep work. Webhooks say when it ends.`, callback_url: `${receiverUrl}/hook` }),
        });
        if (response.status !== 202) throw new Error(`submit answered ${response.status}: ${await response.text()}`);
        return ((await response.json()) as { request_id: string }).request_id;
      });
      ids.push(...(await Promise.all(batch)));
    }
    const views = new Map<string, View>();
    const settled = (view: View) => ['complete', 'error'].includes(view.status) && view.callback !== undefined && view.callback.status !== 'pending';
    while (views.size < ids.length || [...views.values()].some((view) => !settled(view))) {
      if (Date.now() - started > RUN_LIMIT_MS) throw new Error(`not settled within ${RUN_LIMIT_MS / 60_000} minutes`);
      await sleep(POLL_MS);
      for (const id of ids) {
        if (views.has(id) && settled(views.get(id)!)) continue;
        views.set(id, (await (await fetch(`${stack.url}/v1/status/${id}`)).json()) as View);
      }
    }
    const elapsedS = (Date.now() - started) / 1000;
    const byStatus = countBy([...views.values()].map((view) => (view.status === 'complete' ? 'complete' : `error:${view.error_code}`)));
    const byCallback = countBy([...views.values()].map((view) => view.callback!.status));
    const pipelines = ids.filter((_, index) => index % 2 === 0);
    const twice = [...stepStarts.entries()].filter(([, count]) => count > 1);
    const pipelineStepsSeen = pipelines.reduce((total, id) => total + [...stepStarts.keys()].filter((key) => key.startsWith(`${id} `)).length, 0);
    const duplicateDeliveries = [...deliveries.values()].filter((count) => count > 1).length;
    console.log(JSON.stringify({ requests: ids.length, elapsed_s: elapsedS, status: byStatus, callback: byCallback, step_keys: stepStarts.size, pipeline_steps_seen: pipelineStepsSeen, steps_started_twice: twice.length, webhook_ids: deliveries.size, webhook_ids_delivered_twice: duplicateDeliveries }, null, 1));
    const ok = byStatus.complete === ids.length && byCallback.delivered === ids.length && twice.length === 0 && pipelineStepsSeen === pipelines.length * 5;
    console.log(ok ? 'soak: PASS' : 'soak: FAIL');
    return ok ? 0 : 1;
  } finally {
    await stack.stop();
    await close(receiver);
    rmSync(dataDir, { recursive: true, force: true });
  }
}

function countBy(values: string[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const value of values) counts[value] = (counts[value] ?? 0) + 1;
  return counts;
}

process.exitCode = await main();
