/** A bearer token that proves nothing: missing, malformed, expired, forged, or meant for someone else. */
export class InvalidTokenError extends Error {
  override readonly name = 'InvalidTokenError';
}

/** The token's issuer cannot tell us its keys just now: not the caller's fault, worth a retry. */
export class IssuerUnavailableError extends Error {
  override readonly name = 'IssuerUnavailableError';
}

/** The call carries none of the identity the deployment requires (no bearer token, no SigV4 signature). */
export class MissingCredentialsError extends Error {
  override readonly name = 'MissingCredentialsError';
}
