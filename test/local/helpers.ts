import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { LambdaClient } from '@aws-sdk/client-lambda';
import type { Context } from 'aws-lambda';
import { startLambdaService, type LambdaService, type LambdaServiceOptions } from '../../src/local/lambda-service.js';
import { createInProcessRuntime } from '../../src/local/runtime.js';
import { LOCAL_ACCOUNT_ID, LOCAL_CREDENTIALS, LOCAL_REGION } from '../../src/local/stack.js';

/** A stand-in function with one behaviour per event (see the file). */
export const TEST_HANDLER = fileURLToPath(new URL('./fixtures/test-handler.mjs', import.meta.url));

/** The function name a test Lambda service knows. */
export const TEST_FUNCTION = 'fn';

/**
 * A Lambda service on an ephemeral port running `handler` in this process (128 MB, 10 s, Lambda's
 * two async retries after 100 and 200 ms unless `options` say otherwise), and an SDK client for it
 * that tries each call once: the SDK's own retries would hide the answers under test.
 */
export async function startTestLambdaService(
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  handler: (event: any, context: Context) => Promise<unknown>,
  options: Partial<LambdaServiceOptions> = {},
): Promise<{ service: LambdaService; client: LambdaClient }> {
  const service = await startLambdaService({
    functionName: TEST_FUNCTION,
    region: LOCAL_REGION,
    accountId: LOCAL_ACCOUNT_ID,
    memoryMb: 128,
    timeoutMs: 10_000,
    runtime: createInProcessRuntime(handler),
    asyncRetry: { retries: 2, delaysMs: [100, 200] },
    log: () => {},
    ...options,
  });
  const client = new LambdaClient({ endpoint: service.endpoint, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS, maxAttempts: 1 });
  return { service, client };
}

/** True while a process with this id exists. */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Sandbox processes this process forked, with their resident memory now (VmRSS), from Linux's /proc. */
export function sandboxProcesses(): Array<{ pid: number; rssMb: number }> {
  const found: Array<{ pid: number; rssMb: number }> = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const status = readFileSync(`/proc/${entry}/status`, 'utf8');
      if (Number(/^PPid:\s+(\d+)/m.exec(status)?.[1]) !== process.pid) continue;
      if (!readFileSync(`/proc/${entry}/cmdline`, 'utf8').includes('sandbox-child.mjs')) continue;
      found.push({ pid: Number(entry), rssMb: Number(/^VmRSS:\s+(\d+) kB/m.exec(status)?.[1] ?? 0) / 1024 });
    } catch {
      // The process ended while we looked.
    }
  }
  return found;
}
