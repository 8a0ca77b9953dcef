import type { APIGatewayProxyResult, Context } from 'aws-lambda';
import { isDeliverEvent, isHttpApiEvent, isProcessEvent, isRestApiEvent, isSweepEvent } from './events.js';
import type { HandlerDeps } from './handler-deps.js';
import { createApi } from './http/api.js';
import type { ResponseMode, StreamingResult } from './http/events-route.js';
import { fromHttpApiEvent, fromRestEvent } from './http/api-request.js';
import { sweep, type SweepReport } from './requests/sweeper.js';
import { processRequest, type ProcessResult } from './requests/worker.js';

export type HandlerResult =
  | APIGatewayProxyResult
  | StreamingResult
  | { request_id: string; result: ProcessResult }
  | { request_id: string; delivery: Awaited<ReturnType<typeof import('./callbacks/notify.js').deliverIfOwed>> }
  | { swept: SweepReport }
  | { ignored: true };

/** `mode.streaming`: the front reads the answer as a stream (see streaming.ts); absent, it does not. */
export type Handler = (event: unknown, context: Context, mode?: ResponseMode) => Promise<HandlerResult>;

/** The one Lambda handler: tells the HTTP fronts' events (REST API, HTTP API, function URL) from its own async events and the schedule's sweep. */
export function createHandler(deps: HandlerDeps): Handler {
  const api = createApi(deps);
  return async (event, context, mode) => {
    if (isProcessEvent(event)) {
      return { request_id: event.request_id, result: await processRequest(deps, event.request_id, context, event.hops) };
    }
    if (isSweepEvent(event)) return { swept: await sweep(deps, context) };
    if (isDeliverEvent(event)) {
      const { deliverIfOwed } = await import('./callbacks/notify.js');
      return { request_id: event.request_id, delivery: await deliverIfOwed(deps, event.request_id, event.claim, () => context.getRemainingTimeInMillis()) };
    }
    if (isRestApiEvent(event)) return api(fromRestEvent(event), context, mode);
    if (isHttpApiEvent(event)) return api(fromHttpApiEvent(event), context, mode);
    // Not retried: an event of a shape we do not know will not improve on a second delivery.
    deps.log.warn('ignored an event of unknown shape', { aws_request_id: context.awsRequestId });
    return { ignored: true };
  };
}
