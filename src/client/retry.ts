/** How the client retries calls that failed for a passing reason (429, 5xx, network). */
export interface RetryPolicy {
  /** Consecutive failed attempts before giving up; `Infinity` retries until `wait`'s timeout. */
  maxAttempts: number;
  /** Ceiling of the first back-off, doubled after each failure. */
  baseMs: number;
  /** Largest back-off, whatever the number of failures. */
  maxMs: number;
  /** Largest `Retry-After` obeyed, so a wrong header cannot park a caller for hours. */
  maxRetryAfterMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { maxAttempts: 8, baseMs: 250, maxMs: 10_000, maxRetryAfterMs: 60_000 };

/** Statuses worth another try: throttled, or the service or its gateway briefly failing. */
export function isRetryableStatus(status: number): boolean {
  return status === 429 || status === 502 || status === 503 || status === 504;
}

/**
 * "Full jitter": a random wait between 0 and an exponentially growing ceiling, so many clients
 * failing at once do not come back in step.
 */
export function backoffMs(failures: number, policy: Pick<RetryPolicy, 'baseMs' | 'maxMs'>, random: () => number = Math.random): number {
  const ceiling = Math.min(policy.maxMs, policy.baseMs * 2 ** Math.max(0, failures - 1));
  return Math.floor(random() * ceiling);
}

/** `Retry-After` in milliseconds: either delta-seconds or an HTTP date; undefined when absent or unreadable. */
export function parseRetryAfter(value: string | null, nowMs: number = Date.now()): number | undefined {
  if (value === null) return undefined;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const date = Date.parse(text);
  return Number.isNaN(date) ? undefined : Math.max(0, date - nowMs);
}
