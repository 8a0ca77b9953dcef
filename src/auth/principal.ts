import { MissingCredentialsError } from './errors.js';
import type { JwtVerifier } from './jwt-verifier.js';

/** Which identity a deployment requires of every call (Terraform's `auth`). */
export const AuthMode = { ApiKey: 'api_key', Jwt: 'jwt', Iam: 'iam', None: 'none' } as const;
export type AuthMode = (typeof AuthMode)[keyof typeof AuthMode];

/** What the front itself verified about the caller, as it recorded it in the event; and the bearer token, when it verified none. */
export interface FrontIdentity {
  /** The API key API Gateway checked (REST API with keys on). */
  apiKeyId?: string;
  /** Claims of a token the front verified: a REST Cognito authorizer's, an HTTP API JWT authorizer's. */
  claims?: Record<string, unknown>;
  /** The IAM caller of a SigV4-signed call (a function URL or an HTTP API route with AWS_IAM). */
  iamCaller?: string;
  /** The `Authorization: Bearer` token, for the function to verify itself. */
  bearer?: string;
}

/** Who is calling: the owner of what the call creates, and the only one who may see it. */
export interface Principal {
  kind: 'user' | 'iam' | 'api_key' | 'anonymous';
  /** Opaque and unique per caller; undefined for the one anonymous tenant. */
  owner: string | undefined;
}

export const ANONYMOUS: Principal = { kind: 'anonymous', owner: undefined };

/** A user is their issuer and subject: the same `sub` at two issuers is two people. */
export function userOwner(issuer: string, subject: string): string {
  return `user:${issuer}#${subject}`;
}

const API_KEY_OWNER_PREFIX = 'key:';

/** The owner of what an API key creates. */
export function apiKeyOwner(apiKeyId: string): string {
  return `${API_KEY_OWNER_PREFIX}${apiKeyId}`;
}

/**
 * What a caller's Idempotency-Key ids and webhook secret are derived from: for an API key its id
 * and for the anonymous tenant '' (as before owners existed, so ids and secrets made then stay
 * valid), for anyone else the owner. An API Gateway key id has no `:`, so no owner collides with one.
 */
export function ownerScope(owner: string | undefined): string {
  return owner === undefined ? '' : (apiKeyIdOf(owner) ?? owner);
}

/** The API key id of an API key's owner; undefined for any other owner. */
export function apiKeyIdOf(owner: string): string | undefined {
  return owner.startsWith(API_KEY_OWNER_PREFIX) ? owner.slice(API_KEY_OWNER_PREFIX.length) : undefined;
}

function claimedUser(claims: Record<string, unknown> | undefined): Principal | undefined {
  const issuer = claims?.iss;
  const subject = claims?.sub;
  if (typeof issuer !== 'string' || typeof subject !== 'string' || issuer === '' || subject === '') return undefined;
  return { kind: 'user', owner: userOwner(issuer, subject) };
}

/**
 * The caller, decided once per call from what the front verified, most specific first: a user (the
 * front's token claims, else a bearer token the function verifies itself when it has an issuer),
 * an IAM caller, an API key, or the anonymous tenant. `mode` says what must be present: `jwt` a
 * user, `iam` an IAM caller; without it the call is refused with {@link MissingCredentialsError}.
 * A bearer token that does not verify is refused (the verifier's InvalidTokenError), whatever the mode.
 */
export async function resolvePrincipal(identity: FrontIdentity, mode: AuthMode, verifier: JwtVerifier | undefined): Promise<Principal> {
  if (mode === AuthMode.None) return ANONYMOUS;
  let principal = claimedUser(identity.claims);
  if (principal === undefined && identity.bearer !== undefined && verifier !== undefined) {
    const token = await verifier.verify(identity.bearer);
    principal = { kind: 'user', owner: userOwner(token.issuer, token.subject) };
  }
  principal ??= identity.iamCaller !== undefined ? { kind: 'iam', owner: `iam:${identity.iamCaller}` } : undefined;
  principal ??= identity.apiKeyId !== undefined ? { kind: 'api_key', owner: apiKeyOwner(identity.apiKeyId) } : ANONYMOUS;
  if (mode === AuthMode.Jwt && principal.kind !== 'user') throw new MissingCredentialsError('A bearer token is required: send Authorization: Bearer <token>.');
  if (mode === AuthMode.Iam && principal.kind !== 'iam') throw new MissingCredentialsError('This API takes SigV4-signed calls only.');
  return principal;
}

/** The bearer token of an `Authorization` header, if that is what it carries. */
export function bearerToken(authorization: string | undefined): string | undefined {
  const match = /^Bearer[ ]+([^ ]+)[ ]*$/i.exec(authorization ?? '');
  return match?.[1];
}
