import { randomUUID } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { join } from 'node:path';
import { SignJWT, exportJWK, generateKeyPair, importJWK, type JWK } from 'jose';
import { close, listen } from './listen.js';
import { readBody } from './read-body.js';

/** The local issuer signs as Cognito does by default. */
const ALGORITHM = 'RS256';
const KEY_FILE = 'oidc-signing-key.json';
/** A token from `async-router token` lives an hour unless asked otherwise, as Cognito's ID tokens do. */
export const DEFAULT_TOKEN_TTL_SECONDS = 3600;
/** The longest a dev token may live: a day. */
export const MAX_TOKEN_TTL_SECONDS = 86_400;
/** The audience `AUTH=jwt npm start` gives the function, and the token endpoint's default. */
export const LOCAL_AUDIENCE = 'async-request-router-local';
/** The dev token endpoint, under the issuer. */
export const TOKEN_PATH = '/token';
const MAX_TOKEN_REQUEST_BYTES = 4096;
const MAX_SUBJECT_CHARS = 255;

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
  /** Where a page or the CLI gets a token for any subject: POST `{sub, aud?, ttl_seconds?}` (loopback only, for development). */
  tokenEndpoint: string;
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

/** What a body of `POST /token` asks for, or why it cannot be served. */
function tokenRequest(body: Buffer | undefined, defaultAudience: string): TokenRequest | { field: string; problem: string } {
  let parsed: { sub?: unknown; aud?: unknown; ttl_seconds?: unknown };
  try {
    parsed = JSON.parse(body?.toString('utf8') ?? '') as typeof parsed;
  } catch {
    return { field: 'body', problem: 'must be JSON: {"sub": "alice", "aud"?: "...", "ttl_seconds"?: 3600}' };
  }
  const { sub, aud = defaultAudience, ttl_seconds: ttl = DEFAULT_TOKEN_TTL_SECONDS } = parsed ?? {};
  if (typeof sub !== 'string' || sub === '' || sub.length > MAX_SUBJECT_CHARS) return { field: 'sub', problem: `must be a string of 1-${MAX_SUBJECT_CHARS} characters` };
  if (typeof aud !== 'string' || aud === '') return { field: 'aud', problem: 'must be a non-empty string' };
  if (!Number.isInteger(ttl) || (ttl as number) < 1 || (ttl as number) > MAX_TOKEN_TTL_SECONDS) return { field: 'ttl_seconds', problem: `must be a whole number from 1 to ${MAX_TOKEN_TTL_SECONDS}` };
  return { sub, aud, ttlSeconds: ttl as number };
}

/** `POST /token`: a signed token for whoever asks. Only on loopback, and only for development: it is what a user pool's sign-in would hand out. */
async function serveToken(request: IncomingMessage, response: ServerResponse, sign: (request: TokenRequest) => Promise<string>, defaultAudience: string): Promise<void> {
  // A page on the local front (another port) calls this, so it needs CORS, its preflight included.
  const cors = { 'Access-Control-Allow-Origin': '*', 'Access-Control-Allow-Methods': 'POST, OPTIONS', 'Access-Control-Allow-Headers': 'Content-Type' };
  if (request.method === 'OPTIONS') return void response.writeHead(204, cors).end();
  if (request.method !== 'POST') return void response.writeHead(405, { ...cors, Allow: 'POST, OPTIONS', 'Content-Type': 'application/json' }).end(JSON.stringify({ error: 'POST a JSON body {"sub": "..."}.', error_code: 'method_not_allowed' }));
  const asked = tokenRequest(await readBody(request, MAX_TOKEN_REQUEST_BYTES, { whenOver: 'at-end' }), defaultAudience);
  if ('field' in asked) {
    return void response.writeHead(400, { ...cors, 'Content-Type': 'application/json' }).end(JSON.stringify({ error: `${asked.field}: ${asked.problem}`, error_code: 'invalid_request', field: asked.field }));
  }
  const body = { access_token: await sign(asked), token_type: 'Bearer', expires_in: asked.ttlSeconds };
  response.writeHead(200, { ...cors, 'Content-Type': 'application/json', 'Cache-Control': 'no-store' }).end(JSON.stringify(body));
}

/**
 * An OpenID Connect issuer on loopback, for the local stack and tests: a discovery document, a key
 * set, tokens signed with a key kept in `dataDir`, and a dev token endpoint (`POST /token`). The
 * function verifies its tokens exactly as it verifies Cognito's or any other OIDC provider's.
 */
export async function startOidcIssuer(options: { port?: number; dataDir?: string; defaultAudience?: string } = {}): Promise<OidcIssuer> {
  const key = await loadOrCreateKey(options.dataDir);
  const privateKey = await importJWK(key.privateJwk, ALGORITHM);
  const defaultAudience = options.defaultAudience ?? LOCAL_AUDIENCE;
  let issuer = '';
  const served = { discovery: 0, jwks: 0 };
  const sign = ({ sub, aud, ttlSeconds = DEFAULT_TOKEN_TTL_SECONDS, claims = {} }: TokenRequest) =>
    new SignJWT(claims)
      .setProtectedHeader({ alg: ALGORITHM, kid: key.kid, typ: 'JWT' })
      .setIssuer(issuer)
      .setSubject(sub)
      .setAudience(aud)
      .setIssuedAt()
      .setExpirationTime(`${ttlSeconds}s`)
      .sign(privateKey);
  const server: Server = createServer((request, response) => {
    const path = (request.url ?? '').split('?')[0];
    if (path === TOKEN_PATH) {
      serveToken(request, response, sign, defaultAudience).catch(() => response.writeHead(500).end());
      return;
    }
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
  return { issuer, tokenEndpoint: `${issuer}${TOKEN_PATH}`, served, sign, stop: () => close(server) };
}
