/**
 * The table's sparse index of requests by owner, newest first: only items with an `owner` are in
 * it (the anonymous tenant's and those written before owners are not). It carries what a list
 * shows (never the input or the result), so a page of `GET /v1/requests` reads the index alone.
 * Terraform declares it with the same name, keys and attribute list.
 */
export const OWNER_INDEX = 'by_owner';
export const OWNER_INDEX_HASH_KEY = 'owner';
/** ISO-8601 UTC with milliseconds: sorts as time. */
export const OWNER_INDEX_RANGE_KEY = 'created_at';
export const OWNER_INDEX_ATTRIBUTES = ['status', 'task', 'updated_at', 'expires_at', 'progress', 'step', 'error', 'error_code', 'session_id'] as const;
