import { RequestStatus } from '../contract.js';
import { type StoredRequest } from './model.js';

export const MIN_RETRY_AFTER_SECONDS = 1;
export const MAX_RETRY_AFTER_SECONDS = 10;
const NO_ESTIMATE_SECONDS = 2;
/** Aim to look a few times before the estimated end, so the result is seen soon after it lands. */
const LOOKS_BEFORE_END = 3;

/**
 * When a poller should look again, in seconds: from the rate the task reports progress at,
 * bounded, so a slow job is not polled every second and a fast one is not left waiting.
 */
export function retryAfterSeconds(item: StoredRequest, nowMs: number): number {
  if (item.status === RequestStatus.Pending) return MIN_RETRY_AFTER_SECONDS;
  const percent = item.progress?.percent ?? 0;
  if (percent <= 0 || percent >= 100) return NO_ESTIMATE_SECONDS;
  const elapsedMs = Math.max(0, nowMs - Date.parse(item.created_at));
  const remainingMs = (elapsedMs * (100 - percent)) / percent;
  const seconds = Math.round(remainingMs / 1000 / LOOKS_BEFORE_END);
  return Math.min(MAX_RETRY_AFTER_SECONDS, Math.max(MIN_RETRY_AFTER_SECONDS, seconds));
}
