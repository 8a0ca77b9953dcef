import { ROUTES, type RouteName } from '../contract.js';
import type { ApiRequest } from './api-request.js';

const METHODS_BY_RESOURCE = new Map<string, Readonly<Record<string, RouteName>>>(Object.values(ROUTES).map((route) => [route.resource, route.methods]));

export type RouteMatch =
  | { kind: 'route'; name: RouteName; params: Record<string, string> }
  | { kind: 'preflight' }
  | { kind: 'method_not_allowed'; allow: string }
  | { kind: 'not_found' };

/** The route for a call by the resource its front matched (see api-request.ts), then its method. */
export function matchRoute(request: Pick<ApiRequest, 'resource' | 'method' | 'params'>): RouteMatch {
  const methods = METHODS_BY_RESOURCE.get(request.resource ?? '');
  if (methods === undefined) return { kind: 'not_found' };
  const method = request.method;
  if (method === 'OPTIONS') return { kind: 'preflight' };
  const name = methods[method];
  if (name === undefined) return { kind: 'method_not_allowed', allow: [...Object.keys(methods), 'OPTIONS'].join(', ') };
  return { kind: 'route', name, params: request.params };
}
