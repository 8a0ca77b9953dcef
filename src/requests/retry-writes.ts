import { delay } from '../delay.js';
import type { InvocationContext } from './ports.js';
import { describeError, type Logger } from '../log.js';
import { StorageUnavailableError } from './errors.js';

/** Backoff between tries of a write while the table or the bucket is unreachable. */
const RETRY_DELAYS_MS = [200, 500, 1000, 2000, 4000];
const RETRY_RESERVE_MS = 500;

/**
 * Runs `write` again while the store is unreachable and the invocation has time left: what it
 * writes (an outcome, a checkpoint) exists only in this process, and a retried event would have
 * to redo the work. A call the store refuses for good is not retried.
 */
export async function retryWhileUnavailable<T>(log: Logger, invocation: InvocationContext, fields: Record<string, unknown>, write: () => Promise<T>): Promise<T> {
  for (let tries = 0; ; tries += 1) {
    try {
      return await write();
    } catch (error) {
      const wait = RETRY_DELAYS_MS[Math.min(tries, RETRY_DELAYS_MS.length - 1)]!;
      if (!(error instanceof StorageUnavailableError) || invocation.getRemainingTimeInMillis() < wait + RETRY_RESERVE_MS) throw error;
      log.warn('write failed; retrying', { ...fields, ...describeError(error) });
      await delay(wait);
    }
  }
}

