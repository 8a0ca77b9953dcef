import type { APIGatewayProxyEvent } from 'aws-lambda';
import { ROUTES, type RouteName } from '../contract.js';

const METHODS_BY_RESOURCE = new Map<string, Readonly<Record<string, RouteName>>>(Object.values(ROUTES).map((route) => [route.resource, route.methods]));

export type RouteMatch =
  | { kind: 'route'; name: RouteName; params: Record<string, string> }
  | { kind: 'preflight' }
  | { kind: 'method_not_allowed'; allow: string }
  | { kind: 'not_found' };

/**
 * Finds the route by API Gateway's `resource`, the template of the resource that matched, never by
 * the path: a call that came in through the `{proxy+}` catch-all (or `/`, `/v1`) is not found,
 * whatever its path looks like, so the API key and throttling of the declared resources cannot be
 * stepped around with `/anything/v1/invoke`.
 */
export function matchRoute(event: Pick<APIGatewayProxyEvent, 'resource' | 'httpMethod' | 'pathParameters'>): RouteMatch {
  const methods = METHODS_BY_RESOURCE.get(event.resource ?? '');
  if (methods === undefined) return { kind: 'not_found' };
  const method = (event.httpMethod ?? '').toUpperCase();
  if (method === 'OPTIONS') return { kind: 'preflight' };
  const name = methods[method];
  if (name === undefined) return { kind: 'method_not_allowed', allow: [...Object.keys(methods), 'OPTIONS'].join(', ') };
  return { kind: 'route', name, params: { ...(event.pathParameters as Record<string, string> | null) } };
}
