import { HttpError, NetworkError } from '../client/index.js';
import { ExitCode } from './exit-codes.js';
import { UsageError } from './usage-error.js';

/** The local issuer listens on the API's port + 4 (`npm start`'s `OIDC_PORT` default). */
const ISSUER_PORT_OFFSET = 4;
/** The longest a dev token may be asked to live: a day. */
const MAX_TTL_SECONDS = 86_400;
const LOOPBACK_HOSTS = ['127.0.0.1', 'localhost', '[::1]'];

export interface TokenCommand {
  kind: 'token';
  /** The issuer whose `/token` signs it. */
  issuer: string;
  sub: string;
  audience: string | undefined;
  ttlSeconds: number | undefined;
}

/** What the local issuer's `POST /token` answers. */
export interface IssuedToken {
  access_token: string;
  token_type: 'Bearer';
  expires_in: number;
}

/** The local issuer beside a local stack at `apiUrl`: same host, port + 4; none for a deployed API. */
function issuerBeside(apiUrl: string): string | undefined {
  const url = new URL(apiUrl);
  if (url.protocol !== 'http:' || !LOOPBACK_HOSTS.includes(url.hostname)) return undefined;
  const port = Number(url.port || '80') + ISSUER_PORT_OFFSET;
  return `http://${url.hostname}:${port}`;
}

function parseTtl(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const seconds = Number(value);
  if (value.trim() === '' || !Number.isInteger(seconds) || seconds < 1 || seconds > MAX_TTL_SECONDS) {
    throw new UsageError(`--ttl must be a whole number of seconds from 1 to ${MAX_TTL_SECONDS}`);
  }
  return seconds;
}

/** `token --sub S [--aud A] [--ttl SECONDS] [--issuer URL]`, or a {@link UsageError}. */
export function parseTokenCommand(
  rest: readonly string[],
  values: { sub?: string | undefined; aud?: string | undefined; ttl?: string | undefined; issuer?: string | undefined },
  defaults: { issuer: string | undefined; apiUrl: string },
): TokenCommand {
  if (rest.length !== 0) throw new UsageError('token takes no arguments; name the user with --sub');
  if (values.sub === undefined || values.sub.trim() === '') throw new UsageError('token needs --sub, the user to sign in as (e.g. --sub alice)');
  if (values.aud !== undefined && values.aud.trim() === '') throw new UsageError('--aud needs an audience');
  const issuer = values.issuer ?? defaults.issuer ?? issuerBeside(defaults.apiUrl);
  if (issuer === undefined) {
    throw new UsageError(`token asks the local stack's issuer (AUTH=jwt npm start); for ${defaults.apiUrl}, name it with --issuer URL or ASYNC_ROUTER_ISSUER`);
  }
  if (!/^https?:\/\/[^/]+/.test(issuer)) throw new UsageError(`--issuer must be an http(s) URL such as http://127.0.0.1:3004, not "${issuer}"`);
  return { kind: 'token', issuer: issuer.replace(/\/+$/, ''), sub: values.sub, audience: values.aud, ttlSeconds: parseTtl(values.ttl) };
}

/** `token`: asks the issuer's dev endpoint for a signed token and prints it alone (or, with `--json`, the whole answer). */
export async function runToken(command: TokenCommand, json: boolean, io: { stdout: { write(text: string): unknown }; interrupt: AbortSignal }): Promise<ExitCode> {
  const url = `${command.issuer}/token`;
  const body = { sub: command.sub, ...(command.audience !== undefined ? { aud: command.audience } : {}), ...(command.ttlSeconds !== undefined ? { ttl_seconds: command.ttlSeconds } : {}) };
  let response: Response;
  try {
    response = await fetch(url, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body), signal: io.interrupt });
  } catch (error) {
    if (io.interrupt.aborted) throw error;
    throw new NetworkError('POST', url, error);
  }
  const text = await response.text();
  let answer: unknown;
  try {
    answer = JSON.parse(text);
  } catch {
    answer = text;
  }
  if (!response.ok) throw new HttpError('POST', url, response.status, answer);
  const issued = answer as IssuedToken;
  if (typeof issued?.access_token !== 'string') throw new HttpError('POST', url, response.status, { error: 'the issuer answered without an access_token' });
  io.stdout.write(json ? `${JSON.stringify(issued, null, 2)}\n` : `${issued.access_token}\n`);
  return ExitCode.Ok;
}
