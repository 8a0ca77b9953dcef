import { randomUUID } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { SignJWT, exportJWK, generateKeyPair, importJWK, type JWK } from 'jose';
import { close, listen } from './listen.js';

/** The local issuer signs as Cognito does by default. */
const ALGORITHM = 'RS256';
const KEY_FILE = 'oidc-signing-key.json';
/** A token from `async-router token` lives an hour unless asked otherwise, as Cognito's ID tokens do. */
export const DEFAULT_TOKEN_TTL_SECONDS = 3600;

export interface TokenRequest {
  sub: string;
  aud: string;
  ttlSeconds?: number;
  /** Extra claims (a name, an email) for the demo page. */
  claims?: Record<string, unknown>;
}

export interface OidcIssuer {
  /** The issuer URL: the `iss` of its tokens and the base of its discovery document. */
  issuer: string;
  /** How often each document was served: tests count the verifier's fetches with it. */
  served: { discovery: number; jwks: number };
  sign(request: TokenRequest): Promise<string>;
  stop(): Promise<void>;
}

interface StoredKey {
  kid: string;
  privateJwk: JWK;
}

/** The signing key, kept in the data folder so tokens stay valid across restarts; in memory without one. */
async function loadOrCreateKey(dataDir: string | undefined): Promise<StoredKey> {
  const path = dataDir !== undefined ? join(dataDir, KEY_FILE) : undefined;
  if (path !== undefined) {
    try {
      return JSON.parse(readFileSync(path, 'utf8')) as StoredKey;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
  }
  const { privateKey } = await generateKeyPair(ALGORITHM, { extractable: true });
  const key: StoredKey = { kid: randomUUID(), privateJwk: await exportJWK(privateKey) };
  if (path !== undefined && dataDir !== undefined) {
    mkdirSync(dataDir, { recursive: true });
    try {
      writeFileSync(path, JSON.stringify(key), { flag: 'wx', mode: 0o600 });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      return JSON.parse(readFileSync(path, 'utf8')) as StoredKey;
    }
  }
  return key;
}

/** The public half of a private RSA JWK: its modulus and exponent, nothing else. */
function publicJwk(key: StoredKey): JWK {
  const { kty, n, e } = key.privateJwk;
  return { kty, n, e, kid: key.kid, alg: ALGORITHM, use: 'sig' };
}

/**
 * An OpenID Connect issuer on loopback, for the local stack and tests: a discovery document, a key
 * set, and tokens signed with a key kept in `dataDir`. The function verifies its tokens exactly as
 * it verifies Cognito's or any other OIDC provider's.
 */
export async function startOidcIssuer(options: { port?: number; dataDir?: string } = {}): Promise<OidcIssuer> {
  const key = await loadOrCreateKey(options.dataDir);
  const privateKey = await importJWK(key.privateJwk, ALGORITHM);
  let issuer = '';
  const served = { discovery: 0, jwks: 0 };
  const server: Server = createServer((request, response) => {
    const path = (request.url ?? '').split('?')[0];
    if (path === '/.well-known/openid-configuration') served.discovery += 1;
    if (path === '/.well-known/jwks.json') served.jwks += 1;
    const body =
      path === '/.well-known/openid-configuration'
        ? { issuer, jwks_uri: `${issuer}/.well-known/jwks.json`, id_token_signing_alg_values_supported: [ALGORITHM], subject_types_supported: ['public'], response_types_supported: ['id_token'] }
        : path === '/.well-known/jwks.json'
          ? { keys: [publicJwk(key)] }
          : undefined;
    response.writeHead(body === undefined ? 404 : 200, { 'Content-Type': 'application/json', 'Cache-Control': 'no-store' });
    response.end(JSON.stringify(body ?? { message: 'Not found' }));
  });
  issuer = await listen(server, options.port ?? 0);
  return {
    issuer,
    served,
    sign({ sub, aud, ttlSeconds = DEFAULT_TOKEN_TTL_SECONDS, claims = {} }) {
      return new SignJWT(claims)
        .setProtectedHeader({ alg: ALGORITHM, kid: key.kid, typ: 'JWT' })
        .setIssuer(issuer)
        .setSubject(sub)
        .setAudience(aud)
        .setIssuedAt()
        .setExpirationTime(`${ttlSeconds}s`)
        .sign(privateKey);
    },
    stop: () => close(server),
  };
}
