import type { Readable } from 'node:stream';
import type { ByteBudget } from './byte-budget.js';

/** A body a task may hand over: bytes, text, or a stream of any size. */
export type ObjectBody = Buffer | Uint8Array | string | Readable;

/**
 * Where results too large for a request's item, and the files tasks write, are kept: an S3 bucket
 * in AWS, an embedded S3-compatible server locally. Failures come out as the request store's:
 * StorageUnavailableError to retry, StorageRejectedError not to.
 */
export interface ObjectStore {
  /**
   * Writes an object, taking its bytes from `budget` before they go out (a stream that runs out of
   * room is cut off and refused, and gives its room back); answers its size.
   */
  put(key: string, body: ObjectBody, contentType: string, budget: ByteBudget): Promise<number>;
  /** Reads a (small) object as UTF-8 text. */
  getText(key: string): Promise<string>;
  /** URLs that GET the objects for `seconds`, in the order of `keys`; nothing public. */
  presign(keys: readonly string[], seconds: number): Promise<string[]>;
  /** Removes objects, ignoring ones already gone. */
  remove(keys: readonly string[]): Promise<void>;
}

export { OutputTooLargeError } from './errors.js';
