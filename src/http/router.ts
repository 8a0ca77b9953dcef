import type { APIGatewayProxyEvent } from 'aws-lambda';

export type RouteName = 'invoke' | 'status' | 'cancel';

interface RouteDefinition {
  resource: string;
  /** Matches the end of the path, so a stage or custom-domain base path in front does not matter. */
  path: RegExp;
  methods: Readonly<Record<string, RouteName>>;
}

const ROUTES: readonly RouteDefinition[] = [
  { resource: '/v1/invoke', path: /(?:^|\/)v1\/invoke\/?$/, methods: { POST: 'invoke' } },
  { resource: '/v1/status/{request_id}', path: /(?:^|\/)v1\/status\/([^/]+)\/?$/, methods: { GET: 'status', DELETE: 'cancel' } },
];

export type RouteMatch =
  | { kind: 'route'; name: RouteName; params: Record<string, string> }
  | { kind: 'preflight' }
  | { kind: 'method_not_allowed'; allow: string }
  | { kind: 'not_found' };

function decode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

/**
 * Finds the route by API Gateway's `resource` when it names one of ours, else by the path (a
 * `{proxy+}` catch-all, a custom domain, or the local front), then checks the method.
 */
export function matchRoute(event: Pick<APIGatewayProxyEvent, 'resource' | 'path' | 'httpMethod' | 'pathParameters'>): RouteMatch {
  const path = event.path ?? '';
  for (const route of ROUTES) {
    let params: Record<string, string>;
    if (event.resource === route.resource) {
      params = { ...(event.pathParameters as Record<string, string> | null) };
    } else {
      const found = route.path.exec(path);
      if (found === null) continue;
      params = found[1] === undefined ? {} : { request_id: decode(found[1]) };
    }
    const method = (event.httpMethod ?? '').toUpperCase();
    if (method === 'OPTIONS') return { kind: 'preflight' };
    const name = route.methods[method];
    if (name === undefined) return { kind: 'method_not_allowed', allow: [...Object.keys(route.methods), 'OPTIONS'].join(', ') };
    return { kind: 'route', name, params };
  }
  return { kind: 'not_found' };
}
