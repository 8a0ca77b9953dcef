import { InvalidTokenError, IssuerUnavailableError, MissingCredentialsError } from '../auth/errors.js';
import { DISCOVERY_RETRY_MS } from '../auth/jwt-verifier.js';
import { AuthMode, resolvePrincipal, type Principal } from '../auth/principal.js';
import type { ApiDeps } from '../handler-deps.js';
import type { ApiRequest } from './api-request.js';
import { HttpError } from './http-error.js';

/** RFC 6750's error_description allows printable ASCII but `"` and `\`. */
function challengeText(sentence: string): string {
  return sentence.replace(/["\\]/g, "'").replace(/[^\x20-\x7e]/g, '?');
}

/**
 * Who is calling, decided once per call (see auth/principal.ts), or the HTTP answer for a caller
 * who cannot say: 401 with a Bearer challenge (RFC 6750 §3) for a missing or bad token, 403 for a
 * call without the SigV4 identity an `iam` deployment needs, 503 while the issuer's keys cannot be read.
 */
export async function resolveCaller(deps: Pick<ApiDeps, 'config' | 'verifier'>, request: Pick<ApiRequest, 'identity'>): Promise<Principal> {
  try {
    return await resolvePrincipal(request.identity, deps.config.auth, deps.verifier);
  } catch (error) {
    if (error instanceof MissingCredentialsError) {
      if (deps.config.auth === AuthMode.Iam) throw new HttpError(403, 'identity_required', error.message);
      // No error attribute: the caller sent no token at all (RFC 6750 §3.1).
      throw new HttpError(401, 'token_required', error.message, { headers: { 'WWW-Authenticate': 'Bearer' } });
    }
    if (error instanceof InvalidTokenError) {
      const challenge = `Bearer error="invalid_token", error_description="${challengeText(error.message)}"`;
      throw new HttpError(401, 'invalid_token', error.message, { headers: { 'WWW-Authenticate': challenge } });
    }
    if (error instanceof IssuerUnavailableError) {
      throw new HttpError(503, 'issuer_unavailable', error.message, { headers: { 'Retry-After': String(Math.ceil(DISCOVERY_RETRY_MS / 1000)) } });
    }
    throw error;
  }
}
