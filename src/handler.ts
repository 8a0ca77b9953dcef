import { buildHandler } from './build-handler.js';
import { loadConfig } from './config.js';

/** The Lambda entry point. Configuration is read at init, so a bad variable fails the cold start by name. */
export const handler = buildHandler(loadConfig(process.env), { leaseThreadUrl: new URL('./lease-thread.mjs', import.meta.url) });
