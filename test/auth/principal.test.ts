import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InvalidTokenError } from '../../src/auth/errors.js';
import { createJwtVerifier, type JwtVerifier } from '../../src/auth/jwt-verifier.js';
import { AuthMode, bearerToken, resolvePrincipal, userOwner } from '../../src/auth/principal.js';
import { startOidcIssuer, type OidcIssuer } from '../../src/local/oidc-issuer.js';

const AUDIENCE = 'principal-test';
let issuer: OidcIssuer;
let verifier: JwtVerifier;

beforeAll(async () => {
  issuer = await startOidcIssuer();
  verifier = createJwtVerifier({ issuer: issuer.issuer, audience: AUDIENCE });
});
afterAll(() => issuer.stop());

const COGNITO = 'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_Example';

describe('resolvePrincipal', () => {
  it("takes a user from the front's verified claims, before anything else", async () => {
    const principal = await resolvePrincipal({ claims: { iss: COGNITO, sub: 'u-1' }, apiKeyId: 'k1', iamCaller: 'arn:aws:iam::1:user/x' }, AuthMode.ApiKey, undefined);

    expect(principal).toEqual({ kind: 'user', owner: userOwner(COGNITO, 'u-1') });
  });

  it('verifies a bearer token itself when the front verified none', async () => {
    const bearer = await issuer.sign({ sub: 'alice', aud: AUDIENCE });

    const principal = await resolvePrincipal({ bearer }, AuthMode.Jwt, verifier);

    expect(principal).toEqual({ kind: 'user', owner: userOwner(issuer.issuer, 'alice') });
  });

  it('tells the same subject at two issuers apart', () => {
    expect(userOwner('https://a.example.com', 'alice')).not.toBe(userOwner('https://b.example.com', 'alice'));
  });

  it('refuses a bad bearer token rather than falling back to the key', async () => {
    const bearer = await issuer.sign({ sub: 'alice', aud: 'someone-else' });

    await expect(resolvePrincipal({ bearer, apiKeyId: 'k1' }, AuthMode.ApiKey, verifier)).rejects.toBeInstanceOf(InvalidTokenError);
  });

  it('falls back to the IAM caller, then the API key, then the anonymous tenant', async () => {
    expect(await resolvePrincipal({ iamCaller: 'arn:aws:iam::1:user/x', apiKeyId: 'k1' }, AuthMode.ApiKey, undefined)).toEqual({ kind: 'iam', owner: 'iam:arn:aws:iam::1:user/x' });
    expect(await resolvePrincipal({ apiKeyId: 'k1' }, AuthMode.ApiKey, undefined)).toEqual({ kind: 'api_key', owner: 'key:k1' });
    expect(await resolvePrincipal({}, AuthMode.ApiKey, undefined)).toEqual({ kind: 'anonymous', owner: undefined });
  });

  it('requires a user under auth=jwt and an IAM caller under auth=iam', async () => {
    await expect(resolvePrincipal({ apiKeyId: 'k1' }, AuthMode.Jwt, verifier)).rejects.toThrow(/bearer token is required/);
    await expect(resolvePrincipal({ apiKeyId: 'k1' }, AuthMode.Iam, verifier)).rejects.toThrow(/SigV4/);
  });

  it('ignores every identity under auth=none', async () => {
    expect(await resolvePrincipal({ apiKeyId: 'k1', bearer: 'garbage' }, AuthMode.None, verifier)).toEqual({ kind: 'anonymous', owner: undefined });
  });

  it('does not take claims without both an issuer and a subject', async () => {
    expect(await resolvePrincipal({ claims: { sub: 'u-1' }, apiKeyId: 'k1' }, AuthMode.ApiKey, undefined)).toEqual({ kind: 'api_key', owner: 'key:k1' });
  });
});

describe('bearerToken', () => {
  it('reads the token of a Bearer header only', () => {
    expect(bearerToken('Bearer abc.def.ghi')).toBe('abc.def.ghi');
    expect(bearerToken('bearer abc')).toBe('abc');
    expect(bearerToken('Basic dXNlcjpwYXNz')).toBeUndefined();
    expect(bearerToken('Bearer a b')).toBeUndefined();
    expect(bearerToken(undefined)).toBeUndefined();
  });
});
