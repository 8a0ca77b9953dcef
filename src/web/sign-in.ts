/** What the stack's `/config.json` tells the page about sign-in. */
export interface SiteConfig {
  auth: 'jwt' | 'api_key' | 'none' | 'iam';
  issuer: string | null;
  /** The local issuer's dev endpoint that signs a token for any `sub`; null for a real issuer. */
  token_endpoint: string | null;
  audience: string | null;
}

/** A signed-in user of this tab: who, the token, and when it stops being accepted. */
export interface SignedIn {
  sub: string;
  token: string;
  /** Epoch ms; undefined for a pasted token whose expiry the page cannot read. */
  expiresAt: number | undefined;
}

/** A stack that serves no `/config.json` (one from before sign-in) has API-key auth, as it always had. */
const NO_SIGN_IN: SiteConfig = { auth: 'api_key', issuer: null, token_endpoint: null, audience: null };
/** Per tab: two tabs can be two users, and a reload keeps the tab's user. */
const STORAGE_KEY = 'async-router.signed-in';
/** A local token is fetched again this long before it expires, so no call goes out with a stale one. */
const RENEW_LEAD_MS = 60_000;

/** Reads `/config.json`; a missing one means no sign-in. */
export async function loadSiteConfig(): Promise<SiteConfig> {
  const response = await fetch('config.json', { headers: { Accept: 'application/json' }, cache: 'no-store' });
  if (response.status === 404) return NO_SIGN_IN;
  if (!response.ok) throw new Error(`config.json answered ${response.status}`);
  return { ...NO_SIGN_IN, ...((await response.json()) as Partial<SiteConfig>) };
}

/** A JWT's claims, read without verifying (the API verifies), to show who and until when; empty when unreadable. */
function tokenClaims(token: string): { sub?: unknown; exp?: unknown } {
  try {
    const payload = (token.split('.')[1] ?? '').replace(/-/g, '+').replace(/_/g, '/');
    const claims: unknown = JSON.parse(atob(payload));
    return typeof claims === 'object' && claims !== null ? claims : {};
  } catch {
    return {};
  }
}

export function loadSignedIn(): SignedIn | undefined {
  try {
    const stored = JSON.parse(sessionStorage.getItem(STORAGE_KEY) ?? 'null') as SignedIn | null;
    return stored !== null && typeof stored.token === 'string' && typeof stored.sub === 'string' ? stored : undefined;
  } catch {
    return undefined;
  }
}

export function storeSignedIn(user: SignedIn | undefined): void {
  if (user === undefined) sessionStorage.removeItem(STORAGE_KEY);
  else sessionStorage.setItem(STORAGE_KEY, JSON.stringify(user));
}

/** Asks the local issuer's dev endpoint for a token for `sub`, for this deployment's audience. */
export async function requestToken(config: SiteConfig, sub: string): Promise<SignedIn> {
  if (config.token_endpoint === null) throw new Error('this issuer signs no tokens for the page; paste one');
  const response = await fetch(config.token_endpoint, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ sub, ...(config.audience !== null ? { aud: config.audience } : {}) }),
  });
  if (!response.ok) throw new Error(`the issuer answered ${response.status}`);
  const answer = (await response.json()) as { access_token: string; expires_in: number };
  return { sub, token: answer.access_token, expiresAt: Date.now() + answer.expires_in * 1000 };
}

/** A pasted token: its user and expiry read from its claims, for the page to show (the API verifies it). */
export function pastedToken(token: string): SignedIn {
  const trimmed = token.trim().replace(/^Bearer\s+/i, '');
  const { sub, exp } = tokenClaims(trimmed);
  return { sub: typeof sub === 'string' ? sub : 'pasted token', token: trimmed, expiresAt: typeof exp === 'number' ? exp * 1000 : undefined };
}

/** Whether the page can get this user a fresh token by itself (the local issuer) before it expires. */
export function needsRenewal(config: SiteConfig, user: SignedIn, now = Date.now()): boolean {
  return config.token_endpoint !== null && user.expiresAt !== undefined && user.expiresAt - now < RENEW_LEAD_MS;
}
