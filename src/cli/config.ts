/** The CLI's own settings from its environment; the only place it reads `process.env`. */
export interface CliConfig {
  /** `ASYNC_ROUTER_URL`, else the local stack's address. */
  url: string;
  /** `ASYNC_ROUTER_API_KEY`, sent as `x-api-key` when set. */
  apiKey: string | undefined;
}

export const DEFAULT_URL = 'http://127.0.0.1:3000';

export function loadCliConfig(env: Record<string, string | undefined>): CliConfig {
  const url = env.ASYNC_ROUTER_URL?.trim();
  const apiKey = env.ASYNC_ROUTER_API_KEY?.trim();
  return { url: url !== undefined && url !== '' ? url : DEFAULT_URL, apiKey: apiKey !== undefined && apiKey !== '' ? apiKey : undefined };
}
