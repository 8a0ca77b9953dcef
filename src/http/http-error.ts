/**
 * The one error type the HTTP layer answers with. Its message reaches the caller only when
 * `expose` is true, which is decided by the status code alone (below 500).
 */
export class HttpError extends Error {
  override readonly name = 'HttpError';
  readonly expose: boolean;

  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
    readonly details: { field?: string; headers?: Record<string, string> } = {},
  ) {
    super(message);
    this.expose = statusCode < 500;
  }
}

/** A field of the request failed validation: `400` naming the field and the reason. */
export function invalidField(field: string, reason: string): HttpError {
  return new HttpError(400, 'invalid_request', `${field}: ${reason}`, { field });
}
