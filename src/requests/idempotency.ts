import { createHash, createHmac } from 'node:crypto';
import type { RequestInput } from './model.js';

/**
 * The request id for an Idempotency-Key: a UUID-shaped HMAC of the key under the deployment's
 * secret, so the first write of a key is one conditional put on the table's hash key, and yet
 * nobody without the secret can compute the id of someone else's key (to read, cancel or squat
 * it). `scope` (the caller's API key id when API keys are on) keeps two callers' keys apart.
 */
export function requestIdForKey(secret: string, scope: string, key: string): string {
  const bytes = createHmac('sha256', secret).update(JSON.stringify([scope, key])).digest().subarray(0, 16);
  // RFC 9562 version 8 (custom) with the standard variant bits.
  bytes[6] = (bytes[6]! & 0x0f) | 0x80;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** A digest of what was asked, to tell a replay (same body) from a conflicting reuse of the key. */
export function bodyHash(task: string, input: RequestInput, callbackUrl?: string): string {
  // Without a callback_url the digest is what it was before callbacks existed, so stored keys still match.
  const canonical = JSON.stringify([task, input.prompt, input.session_id ?? null, ...(callbackUrl !== undefined ? [callbackUrl] : [])]);
  return createHash('sha256').update(canonical).digest('base64url');
}
