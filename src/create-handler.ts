import type { APIGatewayProxyResult, Context } from 'aws-lambda';
import { isHttpApiEvent, isProcessEvent, isRestApiEvent } from './events.js';
import type { HandlerDeps } from './handler-deps.js';
import { createApi } from './http/api.js';
import { fromHttpApiEvent, fromRestEvent } from './http/api-request.js';
import { processRequest, type ProcessResult } from './requests/worker.js';

export type HandlerResult = APIGatewayProxyResult | { request_id: string; result: ProcessResult } | { ignored: true };

export type Handler = (event: unknown, context: Context) => Promise<HandlerResult>;

/** The one Lambda handler: tells the HTTP fronts' events (REST API, HTTP API, function URL) from its own async work events. */
export function createHandler(deps: HandlerDeps): Handler {
  const api = createApi(deps);
  return async (event, context) => {
    if (isProcessEvent(event)) {
      return { request_id: event.request_id, result: await processRequest(deps, event.request_id, context) };
    }
    if (isRestApiEvent(event)) return api(fromRestEvent(event), context);
    if (isHttpApiEvent(event)) return api(fromHttpApiEvent(event), context);
    // Not retried: an event of a shape we do not know will not improve on a second delivery.
    deps.log.warn('ignored an event of unknown shape', { aws_request_id: context.awsRequestId });
    return { ignored: true };
  };
}
