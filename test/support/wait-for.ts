/**
 * Polls `check` until it answers something other than undefined, and answers that; throws after
 * `timeoutMs`, a guard against a condition never met rather than a speed check (a loaded machine
 * is slow): by default just under vitest's 60 s test timeout, so the failure says what was awaited.
 */
export async function waitFor<T>(check: () => Promise<T | undefined> | T | undefined, { timeoutMs = 45_000, intervalMs = 50 } = {}): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
