import { createHmac } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SignJWT, generateKeyPair, importJWK, type JWK } from 'jose';
import { startOidcIssuer, type OidcIssuer } from '../../src/local/oidc-issuer.js';

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

/** A local OIDC issuer whose signing key tests can read, to sign tokens it would never issue. */
export interface TestIssuer extends OidcIssuer {
  /** The issuer's own key: its id, private key and public JWK. */
  key(): Promise<{ kid: string; privateKey: CryptoKey | Uint8Array; publicJwk: JWK }>;
  /** A token signed with the issuer's own key, with the claims given (`iss`, `sub`, `aud`, `exp` default to valid ones). */
  signWith(claims: Record<string, unknown>, options?: { iss?: string; sub?: string; aud?: string; exp?: string | number }): Promise<string>;
}

export async function startTestIssuer(): Promise<TestIssuer> {
  const dataDir = mkdtempSync(join(tmpdir(), 'oidc-'));
  const issuer = await startOidcIssuer({ dataDir });
  const key: TestIssuer['key'] = async () => {
    const stored = JSON.parse(readFileSync(join(dataDir, 'oidc-signing-key.json'), 'utf8')) as { kid: string; privateJwk: JWK };
    const { kty, n, e } = stored.privateJwk;
    return { kid: stored.kid, privateKey: await importJWK(stored.privateJwk, 'RS256'), publicJwk: { kty, n, e } };
  };
  return {
    ...issuer,
    key,
    async signWith(claims, options = {}) {
      const { kid, privateKey } = await key();
      return new SignJWT(claims)
        .setProtectedHeader({ alg: 'RS256', kid })
        .setIssuer(options.iss ?? issuer.issuer)
        .setSubject(options.sub ?? 'alice')
        .setAudience(options.aud ?? 'unused')
        .setExpirationTime(options.exp ?? '1h')
        .sign(privateKey);
    },
    async stop() {
      await issuer.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Tokens no honest issuer makes, for a deployment trusting `issuer` with `audience`. */
export const forged = {
  /** `alg: none`, no signature at all. */
  unsigned(issuer: string, audience: string, kid: string, sub = 'mallory'): string {
    return `${b64({ alg: 'none', kid })}.${b64({ iss: issuer, sub, aud: audience, exp: Math.floor(Date.now() / 1000) + 3600 })}.`;
  },
  /** HS256 keyed with the issuer's public key, the classic algorithm confusion. */
  hmacWithPublicKey(issuer: string, audience: string, kid: string, publicJwk: JWK, sub = 'mallory'): string {
    const signingInput = `${b64({ alg: 'HS256', kid, typ: 'JWT' })}.${b64({ iss: issuer, sub, aud: audience, exp: Math.floor(Date.now() / 1000) + 3600 })}`;
    return `${signingInput}.${createHmac('sha256', JSON.stringify(publicJwk)).update(signingInput).digest('base64url')}`;
  },
  /** A real token with its payload swapped for another subject's: the signature no longer matches. */
  swappedPayload(token: string, issuer: string, audience: string, sub = 'mallory'): string {
    const [header, , signature] = token.split('.');
    return `${header}.${b64({ iss: issuer, sub, aud: audience, exp: Math.floor(Date.now() / 1000) + 3600 })}.${signature}`;
  },
  /** Signed with a fresh key under a `kid` the issuer never published. */
  async unknownKey(issuer: string, audience: string, kid: string, sub = 'mallory'): Promise<string> {
    const { privateKey } = await generateKeyPair('RS256');
    return new SignJWT({}).setProtectedHeader({ alg: 'RS256', kid }).setIssuer(issuer).setSubject(sub).setAudience(audience).setExpirationTime('1h').sign(privateKey);
  },
};
