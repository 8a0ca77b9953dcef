import type { Stack, StackOptions } from '../../src/local/stack.js';
import { startTestStack } from './stack.js';
import { startTestIssuer, type TestIssuer } from './tokens.js';

/** A local stack with AUTH=jwt trusting a fresh local issuer, for tests that sign users in. */
export interface JwtStack {
  issuer: TestIssuer;
  stack: Stack;
  /** A valid token for `sub`, for this stack's audience. */
  tokenFor(sub: string): Promise<string>;
  stop(): Promise<void>;
}

export async function startJwtStack(audience: string, options: Partial<StackOptions> = {}): Promise<JwtStack> {
  const issuer = await startTestIssuer();
  const stack = await startTestStack({ ...options, env: { AUTH: 'jwt', JWT_ISSUER: issuer.issuer, JWT_AUDIENCE: audience, ...options.env } });
  return {
    issuer,
    stack,
    tokenFor: (sub) => issuer.sign({ sub, aud: audience }),
    async stop() {
      await stack.stop();
      await issuer.stop();
    },
  };
}
