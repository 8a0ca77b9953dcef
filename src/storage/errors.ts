/** The table or the bucket could not be reached or refused the call for now (throttling, network, outage): worth repeating. */
export class StorageUnavailableError extends Error {
  override readonly name = 'StorageUnavailableError';
}

/**
 * The table or the bucket refused the call itself (an item over 400 KB, a malformed request, a
 * missing permission): repeating it cannot help. `code` is the SDK's error name, e.g. `ValidationException`.
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

/** A body grew past what it was allowed; nothing of it stays stored. */
export class OutputTooLargeError extends Error {
  override readonly name = 'OutputTooLargeError';

  constructor(readonly maxBytes: number) {
    super(`more than the ${maxBytes} bytes allowed`);
  }
}

/**
 * The client errors (HTTP 4xx) of DynamoDB and S3 that pass: throttling, a request timeout and
 * expired credentials. Every other client error is the call's own fault and would fail again.
 */
const TRANSIENT_CLIENT_ERRORS = new Set([
  'ThrottlingException',
  'ProvisionedThroughputExceededException',
  'RequestLimitExceeded',
  'TransactionConflictException',
  'ExpiredTokenException',
  'SlowDown',
  'RequestTimeout',
  'ExpiredToken',
]);

/** The one transient-error classifier: an SDK failure becomes {@link StorageRejectedError} when repeating it cannot help, else {@link StorageUnavailableError}. */
export function storageError(error: unknown, service: 'DynamoDB' | 'S3'): StorageRejectedError | StorageUnavailableError {
  if (error instanceof Error && (error as { $fault?: string }).$fault === 'client' && !TRANSIENT_CLIENT_ERRORS.has(error.name)) {
    return new StorageRejectedError(error.name, { cause: error });
  }
  return new StorageUnavailableError(`${service} call failed`, { cause: error });
}
