import type { APIGatewayProxyResult } from 'aws-lambda';
import { ERROR_SENTENCES, ErrorCode } from '../contract.js';
import { owesCallback, toView } from '../requests/model.js';
import { removeRecordedObjects } from '../requests/recorded-objects.js';
import type { ApiDeps, InvocationContext } from '../handler-deps.js';
import { describeError } from '../log.js';
import { Metric } from '../metrics.js';
import type { Principal } from '../auth/principal.js';
import { HttpError, notFound } from './http-error.js';
import { json } from './responses.js';
import { requestIdParam } from './request-id.js';

/**
 * `DELETE /v1/status/{request_id}`: ends a pending or running request as `error`/`cancelled` at
 * once, and removes the objects it recorded (a request handed back between two invocations has no
 * worker to do it). A running worker learns of it at its next fenced write, and its signal fires.
 * Its webhook, if any, is queued at once; the sweeper delivers it if that fails.
 */
export async function cancelRoute(
  deps: ApiDeps,
  params: Record<string, string>,
  context: InvocationContext,
  caller: Principal,
): Promise<APIGatewayProxyResult> {
  const requestId = requestIdParam(params);
  const result = await deps.store.cancel(requestId, deps.now(), ERROR_SENTENCES[ErrorCode.Cancelled], ErrorCode.Cancelled, caller.owner);
  if (result.kind === 'not_found') throw notFound();
  if (result.kind === 'terminal') {
    throw new HttpError(409, 'already_terminal', `The request has already ended as "${result.item.status}" and cannot be cancelled.`);
  }
  deps.metrics.put(Metric.Cancelled, 1);
  deps.log.info('cancelled', { request_id: requestId });
  await removeRecordedObjects(deps, result.item);
  if (owesCallback(result.item)) {
    try {
      await (await deps.dispatcher()).dispatch(requestId, context.invokedFunctionArn, { action: 'deliver' });
    } catch (error) {
      deps.log.warn('could not queue the webhook of a cancelled request; the sweeper will deliver it', { request_id: requestId, ...describeError(error) });
    }
  }
  return json(202, toView(result.item), { 'Cache-Control': 'no-store' });
}
