import { AuthMode } from '../auth/principal.js';
import type { Config } from '../config.js';
import type { OidcIssuer } from './oidc-issuer.js';

/** `/config.json` of the local stack's site: how the demo page identifies its user. */
export interface DemoConfig {
  /** `jwt`: send a bearer token; `api_key` and `none`: send nothing (the local front checks no keys). */
  auth: 'jwt' | 'api_key' | 'none';
  issuer: string | null;
  /** Where the page gets a token for a user it names (the local issuer's dev endpoint); null without one. */
  token_endpoint: string | null;
  audience: string | null;
}

/** What the demo page needs to know of a stack's configuration, and nothing else. */
export function demoConfig(config: Pick<Config, 'auth' | 'jwt'>, issuer: OidcIssuer | undefined): DemoConfig {
  const auth = config.auth === AuthMode.Jwt || config.auth === AuthMode.None ? config.auth : AuthMode.ApiKey;
  return {
    auth,
    issuer: config.jwt?.issuer ?? null,
    token_endpoint: issuer?.tokenEndpoint ?? null,
    audience: config.jwt?.audience ?? null,
  };
}
