import type { Client } from '../client/index.js';
import { LIST_PATH } from '../client/index.js';

/** How many of the caller's newest requests the list check reads, at most, to find the one it submitted. */
const LIST_CHECK_SCAN = 200;
/** Pages of this size, so even a fresh caller's few requests take a cursor hop when there are more than this. */
const LIST_CHECK_PAGE = 5;

/**
 * `GET /v1/requests` round trip, for a caller with an identity (a key or a token): the request the
 * submit check made is listed, each listed request has its `status_url` and no result, and no id
 * comes twice across the pages walked. Throws a sentence naming what is wrong.
 */
export async function checkList(client: Client, submittedId: string | undefined, signal: AbortSignal): Promise<void> {
  if (submittedId === undefined) throw new Error(`no request to look for in GET ${LIST_PATH}: the submit failed`);
  const seen = new Set<string>();
  for await (const item of client.list({ limit: LIST_CHECK_PAGE, signal }).items()) {
    if (seen.has(item.request_id)) throw new Error(`GET ${LIST_PATH} listed ${item.request_id} twice while following next_cursor`);
    seen.add(item.request_id);
    if (typeof item.status_url !== 'string' || item.status_url === '') throw new Error(`GET ${LIST_PATH} listed ${item.request_id} without a status_url`);
    if ('result' in item || 'artifacts' in item) throw new Error(`GET ${LIST_PATH} listed ${item.request_id} with its result; a list carries views without results`);
    if (item.request_id === submittedId) return;
    if (seen.size >= LIST_CHECK_SCAN) break;
  }
  throw new Error(`GET ${LIST_PATH} did not list the request the submit check made (${submittedId}) among the caller's ${seen.size} newest`);
}
