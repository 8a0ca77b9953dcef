import { invalidField } from './http-error.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Checks the `{request_id}` path parameter; every id we issue is a UUID. */
export function requestIdParam(params: Record<string, string>): string {
  const id = params.request_id ?? '';
  if (!UUID.test(id)) throw invalidField('request_id', 'must be a request id as returned by POST /v1/invoke (a UUID)');
  return id.toLowerCase();
}
