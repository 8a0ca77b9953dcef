import type { APIGatewayProxyResult } from 'aws-lambda';
import { clip } from '../clip.js';
import { ROUTES } from '../contract.js';
import { describeError } from '../log.js';
import { StorageUnavailableError } from '../requests/errors.js';
import type { ApiDeps, InvocationContext } from '../handler-deps.js';
import type { ApiRequest } from './api-request.js';
import { cancelRoute } from './cancel-route.js';
import { resolveCaller } from './caller.js';
import { eventsRoute, type ResponseMode, type StreamingResult } from './events-route.js';
import { corsHeaders, preflightHeaders } from './cors.js';
import { HttpError } from './http-error.js';
import { invokeRoute } from './invoke-route.js';
import { listRoute } from './list-route.js';
import { empty, errorResponse } from './responses.js';
import { matchRoute } from './router.js';
import { statusRoute } from './status-route.js';
import { webhookSecretRoute } from './webhook-secret-route.js';

const UNAVAILABLE_RETRY_AFTER_SECONDS = '2';
/** The path a 404 repeats back, at most: enough to spot a typo, not a way to echo kilobytes. */
const MAX_ECHOED_PATH_CHARS = 200;
const ROUTE_LIST = Object.values(ROUTES)
  .map((route) => `${Object.keys(route.methods).join(' and ')} ${route.resource}`)
  .join(', ');

function toHttpError(error: unknown): HttpError {
  if (error instanceof HttpError) return error;
  // A failed dispatch never gets here: the invoke route answers it itself, after cleaning up.
  if (error instanceof StorageUnavailableError) {
    return new HttpError(503, 'service_unavailable', error.message, { headers: { 'Retry-After': UNAVAILABLE_RETRY_AFTER_SECONDS } });
  }
  return new HttpError(500, 'internal_error', 'unexpected error');
}

function notFoundMessage(request: ApiRequest): string {
  const call = `${request.method} ${clip(request.path, MAX_ECHOED_PATH_CHARS, '…')}`;
  if (request.catchAll !== undefined) {
    return `${call} came through the catch-all resource ${request.catchAll}, which this API does not serve: the deployment routes the call there instead of to the API's own resource.`;
  }
  return `No route for ${call}. Routes: ${ROUTE_LIST}.`;
}

/** The v1 REST API: one try/catch for every route, and CORS headers on every answer. */
export function createApi(deps: ApiDeps) {
  async function route(request: ApiRequest, context: InvocationContext, mode: ResponseMode): Promise<StreamingResult> {
    const match = matchRoute(request);
    switch (match.kind) {
      case 'preflight':
        return empty(204, preflightHeaders());
      case 'not_found':
        throw new HttpError(404, 'route_not_found', notFoundMessage(request));
      case 'method_not_allowed':
        throw new HttpError(405, 'method_not_allowed', `${request.method} is not allowed here; allowed: ${match.allow}.`, {
          headers: { Allow: match.allow },
        });
      case 'route': {
        const caller = await resolveCaller(deps, request);
        if (match.name === 'invoke') return invokeRoute(deps, request, context, caller);
        if (match.name === 'status') return statusRoute(deps, request, match.params, context, caller);
        if (match.name === 'webhookSecret') return webhookSecretRoute(deps, caller);
        if (match.name === 'list') return listRoute(deps, request, caller);
        if (match.name === 'events') return eventsRoute(deps, request, match.params, context, mode, caller);
        return cancelRoute(deps, match.params, context, caller);
      }
    }
  }

  /** Answers one call; with `mode.streaming` (the front streams the answer), an event stream's body comes as `stream`. */
  return async function handleHttp(request: ApiRequest, context: InvocationContext, mode: ResponseMode = { streaming: false }): Promise<StreamingResult> {
    let response: StreamingResult;
    try {
      response = await route(request, context, mode);
    } catch (caught) {
      const error = toHttpError(caught);
      if (!error.expose) {
        deps.log.error('request failed', {
          aws_request_id: context.awsRequestId,
          status: error.statusCode,
          method: request.method,
          path: request.path,
          ...describeError(caught),
        });
      }
      response = errorResponse(error, context.awsRequestId);
    }
    response.headers = { ...response.headers, ...corsHeaders(deps.config.corsAllowOrigins, request.headers.origin) };
    return response;
  };
}
