import { createHmac } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SignJWT, generateKeyPair, importJWK, type JWK } from 'jose';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { InvalidTokenError, IssuerUnavailableError } from '../../src/auth/errors.js';
import { DISCOVERY_RETRY_MS, createJwtVerifier, issuerUrlProblem } from '../../src/auth/jwt-verifier.js';
import { startOidcIssuer, type OidcIssuer } from '../../src/local/oidc-issuer.js';
import { closedPortUrl } from '../support/ports.js';

const AUDIENCE = 'async-router-test';
const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

let dataDir: string;
let issuer: OidcIssuer;
let clock: number;
const now = () => clock;

// One issuer for the file: making an RSA key is the slow part.
beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'oidc-'));
  issuer = await startOidcIssuer({ dataDir });
});
afterAll(async () => {
  await issuer.stop();
  rmSync(dataDir, { recursive: true, force: true });
});
beforeEach(() => {
  clock = Date.now();
});

/** The issuer's own private key, to sign tokens it would never issue (another `iss`, an `nbf`). */
async function issuerKey(): Promise<{ kid: string; key: CryptoKey | Uint8Array; publicJwk: JWK }> {
  const stored = JSON.parse(readFileSync(join(dataDir, 'oidc-signing-key.json'), 'utf8')) as { kid: string; privateJwk: JWK };
  const { kty, n, e } = stored.privateJwk;
  return { kid: stored.kid, key: await importJWK(stored.privateJwk, 'RS256'), publicJwk: { kty, n, e } };
}

async function expectRefused(token: string, sentence: RegExp): Promise<void> {
  const verifier = createJwtVerifier({ issuer: issuer.issuer, audience: AUDIENCE, now });
  const error = await verifier.verify(token).catch((caught: unknown) => caught);
  expect(error).toBeInstanceOf(InvalidTokenError);
  expect((error as Error).message).toMatch(sentence);
}

describe('a token from the issuer', () => {
  it('is verified, and names its issuer and subject', async () => {
    const verifier = createJwtVerifier({ issuer: issuer.issuer, audience: AUDIENCE, now });
    const token = await issuer.sign({ sub: 'alice', aud: AUDIENCE });

    const verified = await verifier.verify(token);

    expect(verified).toMatchObject({ issuer: issuer.issuer, subject: 'alice' });
  });

  it('is refused once expired, past the leeway, by the injected clock', async () => {
    const token = await issuer.sign({ sub: 'alice', aud: AUDIENCE, ttlSeconds: 60 });
    clock += (60 + 31) * 1000;

    await expectRefused(token, /expired/);
  });

  it('is still accepted within the leeway after expiry', async () => {
    const verifier = createJwtVerifier({ issuer: issuer.issuer, audience: AUDIENCE, now });
    const token = await issuer.sign({ sub: 'alice', aud: AUDIENCE, ttlSeconds: 60 });
    clock += (60 + 20) * 1000;

    await expect(verifier.verify(token)).resolves.toMatchObject({ subject: 'alice' });
  });

  it('is refused for another deployment (another audience)', async () => {
    const token = await issuer.sign({ sub: 'alice', aud: 'another-deployment' });

    await expectRefused(token, /another audience/);
  });

  it('is refused before its nbf', async () => {
    const { kid, key } = await issuerKey();
    const token = await new SignJWT({ nbf: Math.floor(clock / 1000) + 600 })
      .setProtectedHeader({ alg: 'RS256', kid })
      .setIssuer(issuer.issuer)
      .setSubject('alice')
      .setAudience(AUDIENCE)
      .setExpirationTime('2h')
      .sign(key);

    await expectRefused(token, /not valid yet/);
  });

  it('is refused when it names another issuer, even signed with the right key', async () => {
    const { kid, key } = await issuerKey();
    const token = await new SignJWT({}).setProtectedHeader({ alg: 'RS256', kid }).setIssuer('https://evil.example.com').setSubject('alice').setAudience(AUDIENCE).setExpirationTime('1h').sign(key);

    await expectRefused(token, /another issuer/);
  });

  it('is refused without an expiry', async () => {
    const { kid, key } = await issuerKey();
    const token = await new SignJWT({}).setProtectedHeader({ alg: 'RS256', kid }).setIssuer(issuer.issuer).setSubject('alice').setAudience(AUDIENCE).sign(key);

    await expectRefused(token, /"exp" claim/);
  });
});

describe('a forged token', () => {
  it('with a changed payload fails its signature', async () => {
    const [header, , signature] = (await issuer.sign({ sub: 'alice', aud: AUDIENCE })).split('.');
    const payload = b64({ iss: issuer.issuer, sub: 'mallory', aud: AUDIENCE, exp: Math.floor(clock / 1000) + 3600 });

    await expectRefused(`${header}.${payload}.${signature}`, /signature does not verify/);
  });

  it('with alg "none" is refused', async () => {
    const { kid } = await issuerKey();
    const token = `${b64({ alg: 'none', kid })}.${b64({ iss: issuer.issuer, sub: 'mallory', aud: AUDIENCE, exp: Math.floor(clock / 1000) + 3600 })}.`;

    await expectRefused(token, /accepted algorithm|malformed/);
  });

  it('signed with HS256 using the public key as the secret is refused', async () => {
    const { kid, publicJwk } = await issuerKey();
    const signingInput = `${b64({ alg: 'HS256', kid, typ: 'JWT' })}.${b64({ iss: issuer.issuer, sub: 'mallory', aud: AUDIENCE, exp: Math.floor(clock / 1000) + 3600 })}`;
    const signature = createHmac('sha256', JSON.stringify(publicJwk)).update(signingInput).digest('base64url');

    await expectRefused(`${signingInput}.${signature}`, /accepted algorithm/);
  });

  it('signed with a key the issuer does not have is refused, after one refetch of the key set', async () => {
    const verifier = createJwtVerifier({ issuer: issuer.issuer, audience: AUDIENCE, now });
    await verifier.verify(await issuer.sign({ sub: 'alice', aud: AUDIENCE }));
    const { privateKey } = await generateKeyPair('RS256');
    const forge = (kid: string) => new SignJWT({}).setProtectedHeader({ alg: 'RS256', kid }).setIssuer(issuer.issuer).setSubject('mallory').setAudience(AUDIENCE).setExpirationTime('1h').sign(privateKey);
    const fetchedBefore = issuer.served.jwks;

    const first = await verifier.verify(await forge('unknown-1')).catch((error: unknown) => error);
    const second = await verifier.verify(await forge('unknown-2')).catch((error: unknown) => error);

    expect(first).toBeInstanceOf(InvalidTokenError);
    expect((first as Error).message).toMatch(/signing key is not one of the issuer's/);
    expect(second).toBeInstanceOf(InvalidTokenError);
    // jose's cooldown: an unknown kid refetches the set at most once per cooldown.
    expect(issuer.served.jwks - fetchedBefore).toBeLessThanOrEqual(1);
  });

  it('that is not a JWT at all is malformed', async () => {
    await expectRefused('not-a-token', /malformed/);
  });
});

describe('the issuer', () => {
  it('is read once: discovery and keys are cached across calls', async () => {
    const verifier = createJwtVerifier({ issuer: issuer.issuer, audience: AUDIENCE, now });
    const before = { ...issuer.served };

    for (const sub of ['a', 'b', 'c']) await verifier.verify(await issuer.sign({ sub, aud: AUDIENCE }));

    expect({ discovery: issuer.served.discovery - before.discovery, jwks: issuer.served.jwks - before.jwks }).toEqual({ discovery: 1, jwks: 1 });
  });

  it('keeps verifying with cached keys after the issuer goes away', async () => {
    const transient = await startOidcIssuer({ dataDir });
    const verifier = createJwtVerifier({ issuer: transient.issuer, audience: AUDIENCE, now });
    const tokens = [await transient.sign({ sub: 'a', aud: AUDIENCE }), await transient.sign({ sub: 'b', aud: AUDIENCE })];
    await verifier.verify(tokens[0]!);
    await transient.stop();

    await expect(verifier.verify(tokens[1]!)).resolves.toMatchObject({ subject: 'b' });
  });

  it('that cannot be reached answers unavailable, and is not asked again at once', async () => {
    const down = await closedPortUrl();
    const verifier = createJwtVerifier({ issuer: down, audience: AUDIENCE, now });

    const first = await verifier.verify('a.b.c').catch((error: unknown) => error);
    const second = await verifier.verify('a.b.c').catch((error: unknown) => error);

    expect(first).toBeInstanceOf(IssuerUnavailableError);
    expect(second).toBeInstanceOf(IssuerUnavailableError);
    expect((second as Error).message).toMatch(/moments ago/);
    clock += DISCOVERY_RETRY_MS;
    const third = await verifier.verify('a.b.c').catch((error: unknown) => error);
    expect((third as Error).message).toMatch(/discovery document could not be read/);
  });

  it('whose discovery document names another issuer is unavailable, never trusted', async () => {
    const verifier = createJwtVerifier({ issuer: `${issuer.issuer}/`, audience: AUDIENCE, now });

    await expect(verifier.verify(await issuer.sign({ sub: 'a', aud: AUDIENCE }))).rejects.toBeInstanceOf(IssuerUnavailableError);
  });

  it('must be https, but for loopback', () => {
    expect(issuerUrlProblem('http://idp.example.com')).toMatch(/https/);
    expect(issuerUrlProblem('https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_abc')).toBeUndefined();
    expect(issuerUrlProblem('http://127.0.0.1:9999')).toBeUndefined();
    expect(issuerUrlProblem('nope')).toMatch(/not a URL/);
  });
});
