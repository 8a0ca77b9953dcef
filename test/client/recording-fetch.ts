import type { FetchLike } from '../../src/client/index.js';

/** The real global fetch, noting each call's method, URL and status, so tests can count round trips. */
export function recordingFetch(): { fetch: FetchLike; calls: { method: string; url: string; status?: number }[] } {
  const calls: { method: string; url: string; status?: number }[] = [];
  return {
    calls,
    async fetch(url, init) {
      const call: { method: string; url: string; status?: number } = { method: init.method ?? 'GET', url };
      calls.push(call);
      const response = await fetch(url, init);
      call.status = response.status;
      return response;
    },
  };
}
