import { sleep } from './stats.js';

/** Submits a request through a stack's HTTP front; answers its id, or throws unless the answer is 202. */
export async function submit(url: string, body: Record<string, unknown>): Promise<string> {
  const response = await fetch(`${url}/v1/invoke`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
  if (response.status !== 202) throw new Error(`submit answered ${response.status}: ${await response.text()}`);
  return ((await response.json()) as { request_id: string }).request_id;
}

/** Checks every 20 ms until `check` answers something, or throws after `timeoutMs`. */
export async function until<T>(check: () => Promise<T | undefined>, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`not reached within ${timeoutMs} ms`);
    await sleep(20);
  }
}
