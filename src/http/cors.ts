import type { Config } from '../config.js';
import { ALLOWED_HEADERS, ALLOWED_METHODS, EXPOSED_HEADERS } from '../contract.js';

const PREFLIGHT_MAX_AGE_SECONDS = '600';

/** CORS headers for a response to a request from `origin` (undefined when not a browser call). */
export function corsHeaders(allowed: Config['corsAllowOrigins'], origin: string | undefined): Record<string, string> {
  const headers: Record<string, string> = { 'Access-Control-Expose-Headers': EXPOSED_HEADERS.join(',') };
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
    'Access-Control-Allow-Methods': ALLOWED_METHODS.join(','),
    'Access-Control-Allow-Headers': ALLOWED_HEADERS.join(','),
    'Access-Control-Max-Age': PREFLIGHT_MAX_AGE_SECONDS,
  };
}
