export { StorageRejectedError, StorageUnavailableError } from '../storage/errors.js';

/** The asynchronous self-invocation could not be queued. */
export class DispatchFailedError extends Error {
  override readonly name = 'DispatchFailedError';
}

/**
 * Thrown by a worker that must not go on but whose request still needs a worker (its lease
 * lapsed, or another attempt's lease outlasts this invocation): failing the invocation makes
 * Lambda deliver the event again.
 */
export class RedeliverError extends Error {
  override readonly name = 'RedeliverError';
}
