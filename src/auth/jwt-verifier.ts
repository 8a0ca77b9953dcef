import { createRemoteJWKSet, errors, jwtVerify, type JWTVerifyGetKey } from 'jose';
import { InvalidTokenError, IssuerUnavailableError } from './errors.js';
import { issuerUrlProblem } from './issuer-url.js';

export { issuerUrlProblem };

/** Signatures made with a private key only: a shared-secret (HS*) or unsigned (`none`) token is refused before any key is chosen. */
export const ASYMMETRIC_ALGORITHMS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA'] as const;
/** Clocks differ a little between the issuer and Lambda. */
export const DEFAULT_CLOCK_TOLERANCE_SECONDS = 30;
/** A key set is fetched again for an unknown `kid` at most this often, so forged `kid`s cannot make us hammer the issuer. */
export const JWKS_COOLDOWN_MS = 30_000;
/** After a failed discovery, calls answer 503 without asking again for this long. */
export const DISCOVERY_RETRY_MS = 5_000;
const FETCH_TIMEOUT_MS = 3_000;
const DISCOVERY_PATH = '/.well-known/openid-configuration';
/** What a key set's failure to be fetched looks like, as opposed to a token's fault. */
const TOKEN_FAULTS = [errors.JWKSNoMatchingKey, errors.JWKSMultipleMatchingKeys, errors.JOSENotSupported, errors.JOSEAlgNotAllowed];

export interface JwtVerifierOptions {
  /** The `iss` every token must carry; its OIDC discovery document names the key set. */
  issuer: string;
  /** The `aud` every token must carry: this deployment's, so a token for another one is refused. */
  audience: string;
  clockToleranceSeconds?: number;
  /** The clock `exp` and `nbf` are checked against. */
  now?: () => number;
  /** The key set's refetch cooldown (tests shorten it). */
  cooldownMs?: number;
}

/** Who a verified token says the caller is. */
export interface VerifiedToken {
  issuer: string;
  subject: string;
  claims: Record<string, unknown>;
}

export interface JwtVerifier {
  /** Verifies a compact JWS; throws {@link InvalidTokenError} or {@link IssuerUnavailableError}. */
  verify(token: string): Promise<VerifiedToken>;
}

async function fetchJson(url: string): Promise<unknown> {
  const response = await fetch(url, { signal: AbortSignal.timeout(FETCH_TIMEOUT_MS), redirect: 'error' });
  if (!response.ok) throw new Error(`${url} answered ${response.status}`);
  return response.json();
}

/**
 * Verifies bearer tokens against an OIDC issuer: its discovery document is read once, its key set
 * cached (and fetched again for an unknown `kid`, at most once per cooldown); only asymmetric
 * algorithms, the exact issuer and audience, `exp` and `nbf` with a small leeway.
 */
export function createJwtVerifier(options: JwtVerifierOptions): JwtVerifier {
  const problem = issuerUrlProblem(options.issuer);
  if (problem !== undefined) throw new Error(`the JWT issuer ${problem}`);
  const now = options.now ?? Date.now;
  let keys: JWTVerifyGetKey | undefined;
  let failedAt: number | undefined;

  async function keySet(): Promise<JWTVerifyGetKey> {
    if (keys !== undefined) return keys;
    if (failedAt !== undefined && now() - failedAt < DISCOVERY_RETRY_MS) throw new IssuerUnavailableError('the issuer was unreachable moments ago');
    try {
      const document = (await fetchJson(`${options.issuer.replace(/\/$/, '')}${DISCOVERY_PATH}`)) as { issuer?: unknown; jwks_uri?: unknown };
      if (document.issuer !== options.issuer) throw new Error(`the discovery document names the issuer ${JSON.stringify(document.issuer)}`);
      if (typeof document.jwks_uri !== 'string' || issuerUrlProblem(document.jwks_uri) !== undefined) throw new Error('the discovery document has no usable jwks_uri');
      const remote = createRemoteJWKSet(new URL(document.jwks_uri), { cooldownDuration: options.cooldownMs ?? JWKS_COOLDOWN_MS, timeoutDuration: FETCH_TIMEOUT_MS });
      keys = async (header, token) => {
        try {
          return await remote(header, token);
        } catch (error) {
          if (TOKEN_FAULTS.some((fault) => error instanceof fault)) throw error;
          throw new IssuerUnavailableError('the issuer\'s key set could not be fetched', { cause: error });
        }
      };
      failedAt = undefined;
      return keys;
    } catch (error) {
      failedAt = now();
      throw new IssuerUnavailableError('the issuer\'s discovery document could not be read', { cause: error });
    }
  }

  return {
    async verify(token) {
      const getKey = await keySet();
      try {
        const { payload } = await jwtVerify(token, getKey, {
          issuer: options.issuer,
          audience: options.audience,
          algorithms: [...ASYMMETRIC_ALGORITHMS],
          clockTolerance: options.clockToleranceSeconds ?? DEFAULT_CLOCK_TOLERANCE_SECONDS,
          currentDate: new Date(now()),
          requiredClaims: ['sub', 'exp'],
        });
        return { issuer: options.issuer, subject: payload.sub!, claims: payload as Record<string, unknown> };
      } catch (error) {
        if (error instanceof IssuerUnavailableError) throw error;
        throw new InvalidTokenError(tokenSentence(error), { cause: error });
      }
    },
  };
}

/** A sentence for the caller on why the token was refused; never the library's own wording, which may change. */
function tokenSentence(error: unknown): string {
  if (error instanceof errors.JWTExpired) return 'The token has expired.';
  if (error instanceof errors.JWTClaimValidationFailed) {
    if (error.claim === 'nbf') return 'The token is not valid yet.';
    if (error.claim === 'aud') return 'The token is meant for another audience.';
    if (error.claim === 'iss') return 'The token comes from another issuer.';
    return `The token's "${error.claim}" claim is missing or invalid.`;
  }
  if (error instanceof errors.JOSEAlgNotAllowed) return 'The token is not signed with an accepted algorithm.';
  if (error instanceof errors.JWKSNoMatchingKey) return "The token's signing key is not one of the issuer's.";
  if (error instanceof errors.JWSSignatureVerificationFailed) return "The token's signature does not verify.";
  return 'The token is malformed.';
}
