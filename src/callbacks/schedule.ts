/** Tries of a webhook within the invocation that ended the request, before the sweeper takes over. */
export const TRIES_IN_INVOCATION = 3;
/** Waits between those tries. */
const IN_INVOCATION_BACKOFF_MS = [1000, 3000] as const;

/** A try starts only with CALLBACK_TIMEOUT_MS and this much more left: time to record how it went. */
export const TRY_HEADROOM_MS = 1000;
/**
 * What a delivery run needs beyond one try's timeout, from the start of an invocation: reading the
 * request and building its payload, then the try's own headroom. A shorter function timeout could
 * never make a try, so the configuration refuses it.
 */
export const WEBHOOK_RUN_HEADROOM_MS = 1000 + TRY_HEADROOM_MS;

const FIRST_RETRY_MS = 30_000;
const LONGEST_WAIT_MS = 60 * 60_000;

/** The wait before the next try after `attempts` failed ones: 30 s, doubling, at most an hour. */
export function retryDelayMs(attempts: number): number {
  return Math.min(LONGEST_WAIT_MS, FIRST_RETRY_MS * 2 ** Math.max(0, attempts - TRIES_IN_INVOCATION));
}

/** The wait before in-invocation try `index` (0-based). */
export function backoffMs(index: number): number {
  return index === 0 ? 0 : IN_INVOCATION_BACKOFF_MS[Math.min(index, IN_INVOCATION_BACKOFF_MS.length) - 1]!;
}

/**
 * How long one delivery run may take at most: every try timing out, with the waits between. The
 * one who delivers holds the request's sweep slot this long, so the sweeper does not deliver too.
 */
export function deliveryWindowMs(timeoutMs: number): number {
  let total = 5000;
  for (let index = 0; index < TRIES_IN_INVOCATION; index += 1) total += backoffMs(index) + timeoutMs;
  return total;
}

/**
 * The `webhook-id` of a request's completion event: the same on every try, so a receiver can drop
 * repeats, and never another request's, though an Idempotency-Key gives a new request the id of
 * one that expired: its creation time is part of it.
 */
export function webhookId(requestId: string, createdAt: string): string {
  return `msg_${requestId.replace(/-/g, '')}_${Date.parse(createdAt).toString(36)}`;
}
