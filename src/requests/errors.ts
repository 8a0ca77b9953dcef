/** DynamoDB could not be reached or refused the call for now (throttling, network, outage): worth repeating. */
export class StorageUnavailableError extends Error {
  override readonly name = 'StorageUnavailableError';
}

/**
 * DynamoDB refused the call itself (an item over 400 KB, a malformed request, a missing
 * permission): repeating it cannot help. `code` is the SDK's error name, e.g. `ValidationException`.
 */
export class StorageRejectedError extends Error {
  override readonly name = 'StorageRejectedError';

  constructor(
    readonly code: string,
    options: { cause: unknown },
  ) {
    super(`DynamoDB refused the call: ${code}`, options);
  }
}

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
