/**
 * Where a request's objects live in the bucket: each attempt under its own prefix, so a stale
 * worker's late upload can never overwrite what the current attempt wrote, and the role's
 * permissions cover `requests/*` only.
 */
export const REQUESTS_PREFIX = 'requests/';

/** The object that holds a result too large to stay in the request's item. */
export function resultKey(requestId: string, attempt: number): string {
  return `${REQUESTS_PREFIX}${requestId}/${attempt}/result.json`;
}

/** The object that holds a file a task wrote. */
export function fileKey(requestId: string, attempt: number, name: string): string {
  return `${REQUESTS_PREFIX}${requestId}/${attempt}/files/${name}`;
}

/**
 * The object that holds a step's checkpoint too large for the item: by the step's position and
 * the attempt that ran it, so a superseded attempt's late upload never overwrites what a
 * checkpoint points at.
 */
export function checkpointKey(requestId: string, index: number, attempt: number): string {
  return `${REQUESTS_PREFIX}${requestId}/steps/${index}-${attempt}.json`;
}

/** The object that holds a piece of emitted output once the item has no room for it: by its sequence number and attempt. */
export function outputChunkKey(requestId: string, seq: number, attempt: number): string {
  return `${REQUESTS_PREFIX}${requestId}/output/${seq}-${attempt}.txt`;
}

/** A file's name: letters, digits, `.`, `_` and `-`, not starting with a dot: nothing that reads as a path. */
export const FILE_NAME = /^[A-Za-z0-9_-][A-Za-z0-9._-]{0,199}$/;
