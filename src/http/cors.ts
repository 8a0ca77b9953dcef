import type { Config } from '../config.js';

/** Headers a browser may read from our responses besides the CORS-safelisted ones. */
const EXPOSED_HEADERS = 'Location,Retry-After';
const ALLOWED_METHODS = 'GET,POST,DELETE,OPTIONS';
const ALLOWED_HEADERS = 'Content-Type,Idempotency-Key,Authorization,X-Api-Key';
const PREFLIGHT_MAX_AGE_SECONDS = '600';

/** CORS headers for a response to a request from `origin` (undefined when not a browser call). */
export function corsHeaders(allowed: Config['corsAllowOrigins'], origin: string | undefined): Record<string, string> {
  const headers: Record<string, string> = { 'Access-Control-Expose-Headers': EXPOSED_HEADERS };
  if (allowed === '*') {
    headers['Access-Control-Allow-Origin'] = '*';
    return headers;
  }
  // With a list, the answer depends on the caller's Origin, so caches must key on it.
  headers.Vary = 'Origin';
  if (origin !== undefined && allowed.includes(origin)) headers['Access-Control-Allow-Origin'] = origin;
  return headers;
}

/** Extra headers for an `OPTIONS` preflight. */
export function preflightHeaders(): Record<string, string> {
  return {
    'Access-Control-Allow-Methods': ALLOWED_METHODS,
    'Access-Control-Allow-Headers': ALLOWED_HEADERS,
    'Access-Control-Max-Age': PREFLIGHT_MAX_AGE_SECONDS,
  };
}
