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

/** Unknown, expired and other tenants' requests all get this one answer, so none can be told apart. */
export function notFound(): HttpError {
  return new HttpError(404, 'not_found', 'No request with this id: it never existed or has expired.');
}

/** A field of the request failed validation: `400` naming the field and the reason. */
export function invalidField(field: string, reason: string): HttpError {
  return new HttpError(400, 'invalid_request', `${field}: ${reason}`, { field });
}
