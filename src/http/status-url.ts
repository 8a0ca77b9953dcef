import type { APIGatewayProxyEvent } from 'aws-lambda';
import { header } from './invoke-input.js';

/**
 * The absolute URL of a request's status, as the caller reached us: same scheme, host and base
 * path (the stage on an execute-api host, the mapping on a custom domain). API Gateway's `path`
 * lacks that base path and `requestContext.path` has it, so the difference is the prefix.
 */
export function statusUrl(event: Pick<APIGatewayProxyEvent, 'headers' | 'path' | 'requestContext'>, requestId: string): string {
  const host = header(event, 'host') ?? 'localhost';
  const scheme = header(event, 'x-forwarded-proto') ?? 'https';
  const fullPath = event.requestContext?.path ?? event.path;
  const prefix = fullPath.endsWith(event.path) ? fullPath.slice(0, fullPath.length - event.path.length) : '';
  const invokeAt = event.path.search(/\/v1\/invoke\/?$/);
  const pathPrefix = invokeAt > 0 ? event.path.slice(0, invokeAt) : '';
  return `${scheme}://${host}${prefix}${pathPrefix}/v1/status/${encodeURIComponent(requestId)}`;
}
