/** DynamoDB could not be reached or refused the call (throttling, network, outage). */
export class StorageUnavailableError extends Error {
  override readonly name = 'StorageUnavailableError';
}

/** The asynchronous self-invocation could not be queued. */
export class DispatchFailedError extends Error {
  override readonly name = 'DispatchFailedError';
}
