import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { fileURLToPath } from 'node:url';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { LOCAL_CREDENTIALS, LOCAL_REGION, type Stack } from '../../src/local/stack.js';
import { BUILT_HANDLER } from '../../src/local/sandbox-runtime.js';
import type { StoredRequest } from '../../src/requests/model.js';

/** A stand-in function with one behaviour per event (see the file). */
export const TEST_HANDLER = fileURLToPath(new URL('./fixtures/test-handler.mjs', import.meta.url));
export const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** The test command builds first; a lone `vitest run` of these files builds here when needed. */
export function ensureBuilt(): void {
  if (existsSync(BUILT_HANDLER)) return;
  const build = spawnSync(process.execPath, ['build.mjs'], { cwd: REPO_ROOT, encoding: 'utf8' });
  if (build.status !== 0) throw new Error(`node build.mjs failed:\n${build.stdout}\n${build.stderr}`);
}

/** Reads the stored item itself (attempt, lease), which the status view does not show. */
export async function readItem(stack: Stack, requestId: string): Promise<StoredRequest | undefined> {
  const client = DynamoDBDocumentClient.from(
    new DynamoDBClient({ endpoint: stack.dynamo.endpoint, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS }),
  );
  try {
    const output = await client.send(new GetCommand({ TableName: stack.config.tableName, Key: { request_id: requestId }, ConsistentRead: true }));
    return output.Item as StoredRequest | undefined;
  } finally {
    client.destroy();
  }
}

/** Polls `check` until it answers something other than undefined. */
export async function waitFor<T>(check: () => Promise<T | undefined> | T | undefined, { timeoutMs = 15_000, intervalMs = 50 } = {}): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
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

/** Collects log lines; `messages(name)` picks the function's JSON log lines with that message. */
export function createLogCollector(): { lines: string[]; log: (line: string) => void; messages(message: string): Array<Record<string, unknown>> } {
  const lines: string[] = [];
  return {
    lines,
    log: (line) => void lines.push(line),
    messages(message) {
      return lines
        .filter((line) => line.startsWith('{'))
        .map((line) => JSON.parse(line) as Record<string, unknown>)
        .filter((entry) => entry.message === message);
    },
  };
}

/** POSTs one request to the v1 API and answers its id (the 202 is asserted). */
export async function submitRequest(baseUrl: string, prompt: string): Promise<string> {
  const response = await fetch(`${baseUrl}/v1/invoke`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ prompt }),
  });
  const body = (await response.json()) as { request_id: string };
  if (response.status !== 202) throw new Error(`POST /v1/invoke answered ${response.status}: ${JSON.stringify(body)}`);
  return body.request_id;
}

export interface RequestView {
  request_id: string;
  status: string;
  error_code?: string;
  error?: string;
}

export async function readStatus(baseUrl: string, requestId: string): Promise<RequestView> {
  const response = await fetch(`${baseUrl}/v1/status/${requestId}`);
  if (response.status !== 200) throw new Error(`GET /v1/status answered ${response.status}`);
  return (await response.json()) as RequestView;
}

/** Polls the status like a frontend until `complete` or `error`. */
export function pollTerminal(baseUrl: string, requestId: string, timeoutMs = 20_000): Promise<RequestView> {
  return waitFor(
    async () => {
      const view = await readStatus(baseUrl, requestId);
      return view.status === 'complete' || view.status === 'error' ? view : undefined;
    },
    { timeoutMs, intervalMs: 100 },
  );
}

/**
 * One HTTP request with the path sent byte for byte (fetch would normalise it) and any headers,
 * `Host` included; answers the status, headers and body text.
 */
export function rawRequest(
  baseUrl: string,
  method: string,
  path: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; headers: IncomingHttpHeaders; text: string }> {
  const { hostname, port } = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const request = httpRequest({ hostname, port, method, path, headers, agent: false }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, text: Buffer.concat(chunks).toString('utf8') }));
      response.on('error', reject);
    });
    request.on('error', reject);
    request.end();
  });
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
