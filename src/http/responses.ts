import type { APIGatewayProxyResult } from 'aws-lambda';
import type { HttpError } from './http-error.js';

/** A JSON response; CORS headers are added once, by the HTTP handler, to every response. */
export function json(statusCode: number, body: unknown, headers: Record<string, string> = {}): APIGatewayProxyResult {
  return {
    statusCode,
    headers: { 'Content-Type': 'application/json; charset=utf-8', ...headers },
    body: JSON.stringify(body),
  };
}

/** An empty response (preflights). */
export function empty(statusCode: number, headers: Record<string, string> = {}): APIGatewayProxyResult {
  return { statusCode, headers, body: '' };
}

const GENERIC_SENTENCE: Record<number, string> = {
  500: 'The service could not complete this call.',
  503: 'The service is briefly unavailable and nothing was started; retry after the Retry-After delay.',
};

/**
 * The error body. Below 500 the message is the caller's to read; at 500 and above it is replaced by a
 * sentence with the AWS request id, which is what an operator needs to find the logged detail.
 */
export function errorResponse(error: HttpError, awsRequestId: string): APIGatewayProxyResult {
  const body = error.expose
    ? { error: error.message, error_code: error.code, ...(error.details.field ? { field: error.details.field } : {}) }
    : {
        error: `${GENERIC_SENTENCE[error.statusCode] ?? GENERIC_SENTENCE[500]} Reference: ${awsRequestId}`,
        error_code: error.code,
        reference: awsRequestId,
      };
  return json(error.statusCode, body, error.details.headers ?? {});
}
