import type { APIGatewayProxyEvent } from 'aws-lambda';

export type RouteName = 'invoke' | 'status' | 'cancel';

/** The API's resources (as API Gateway names them in `resource`) and the methods each answers. */
const ROUTES: Readonly<Record<string, Readonly<Record<string, RouteName>>>> = {
  '/v1/invoke': { POST: 'invoke' },
  '/v1/status/{request_id}': { GET: 'status', DELETE: 'cancel' },
};

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
  const methods = Object.hasOwn(ROUTES, event.resource ?? '') ? ROUTES[event.resource] : undefined;
  if (methods === undefined) return { kind: 'not_found' };
  const method = (event.httpMethod ?? '').toUpperCase();
  if (method === 'OPTIONS') return { kind: 'preflight' };
  const name = methods[method];
  if (name === undefined) return { kind: 'method_not_allowed', allow: [...Object.keys(methods), 'OPTIONS'].join(', ') };
  return { kind: 'route', name, params: { ...(event.pathParameters as Record<string, string> | null) } };
}
