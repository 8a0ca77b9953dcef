import { buildHandler } from './build-handler.js';
import { loadConfigWithSecrets } from './secrets.js';
import { withStreaming } from './streaming.js';

/**
 * The Lambda entry point. Configuration and secrets are read at init, once per cold start, so a
 * bad variable or a missing parameter fails the cold start by name. Inside Lambda the handler
 * streams its answer to the fronts that read one (see streaming.ts).
 */
export const handler = withStreaming(buildHandler(await loadConfigWithSecrets(process.env), { leaseThreadUrl: new URL('./lease-thread.mjs', import.meta.url) }));
