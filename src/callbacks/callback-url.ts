/** What a `callback_url` may be, checked without a network call; where it resolves to is destination.ts's. */

/** Where callbacks may go, from the configuration. */
export interface CallbackPolicy {
  /** Host names (`api.example.com`) or suffixes (`*.example.com`); empty: any host. */
  allowedHosts: readonly string[];
  /** Plain http and loopback addresses: for the local stack only. */
  allowLoopback: boolean;
}

/** A callback URL refused, and why, in words for the caller. */
export class CallbackRefusedError extends Error {
  override readonly name = 'CallbackRefusedError';
}

const MAX_URL_CHARS = 2048;

function hostAllowed(host: string, allowed: readonly string[]): boolean {
  if (allowed.length === 0) return true;
  return allowed.some((entry) => (entry.startsWith('*.') ? host.endsWith(entry.slice(1)) && host.length > entry.length - 1 : host === entry));
}

/** The URL's form: https (http only where loopback is allowed), no credentials, a host the allow-list names. */
export function parseCallbackUrl(text: string, policy: CallbackPolicy): URL {
  if (text.length > MAX_URL_CHARS) throw new CallbackRefusedError(`must be at most ${MAX_URL_CHARS} characters`);
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new CallbackRefusedError('is not a valid URL');
  }
  const schemes = policy.allowLoopback ? ['https:', 'http:'] : ['https:'];
  if (!schemes.includes(url.protocol)) throw new CallbackRefusedError(`must be an ${policy.allowLoopback ? 'http(s)' : 'https'} URL`);
  if (url.username !== '' || url.password !== '') throw new CallbackRefusedError('must not carry credentials');
  if (url.port === '0') throw new CallbackRefusedError('must not name port 0');
  // As it will be stored and sent, spaces and the like escaped.
  if (url.href.length > MAX_URL_CHARS) throw new CallbackRefusedError(`must be at most ${MAX_URL_CHARS} characters once escaped`);
  const host = url.hostname.replace(/^\[|\]$/g, '').toLowerCase();
  if (!hostAllowed(host, policy.allowedHosts)) throw new CallbackRefusedError(`names a host (${host}) that CALLBACK_ALLOWED_HOSTS does not list`);
  return url;
}

/** The callback policy the configuration sets. */
export function callbackPolicy(config: { callbackAllowedHosts: readonly string[]; callbackAllowLoopback: boolean }): CallbackPolicy {
  return { allowedHosts: config.callbackAllowedHosts, allowLoopback: config.callbackAllowLoopback };
}
