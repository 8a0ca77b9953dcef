import { buildHandler } from './build-handler.js';
import { loadConfigWithSecrets } from './secrets.js';

/**
 * The Lambda entry point. Configuration and secrets are read at init, once per cold start, so a
 * bad variable or a missing parameter fails the cold start by name.
 */
export const handler = buildHandler(await loadConfigWithSecrets(process.env), { leaseThreadUrl: new URL('./lease-thread.mjs', import.meta.url) });
