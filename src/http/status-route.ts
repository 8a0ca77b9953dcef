import type { APIGatewayProxyResult } from 'aws-lambda';
import { MAX_WAIT_SECONDS, changeFingerprint, isTerminal } from '../contract.js';
import type { Principal } from '../auth/principal.js';
import { presentView } from '../requests/present.js';
import { retryAfterSeconds } from '../requests/retry-after.js';
import { delay } from '../delay.js';
import type { ApiDeps, InvocationContext } from '../handler-deps.js';
import type { ApiRequest } from './api-request.js';
import { invalidField, notFound } from './http-error.js';
import { readOwnedRequest } from './owned-request.js';
import { json } from './responses.js';
import { requestIdParam } from './request-id.js';

/** Answer a long-poll this long before the invocation would time out. */
const LONG_POLL_MARGIN_MS = 1000;

/** The `wait` query parameter: whole seconds, 0 when absent. */
export function waitSeconds(query: ApiRequest['query'] | null | undefined): number {
  const text = query?.wait;
  if (text === undefined || text === null) return 0;
  if (!/^\d{1,2}$/.test(text) || Number(text) > MAX_WAIT_SECONDS) {
    throw invalidField('wait', `must be a whole number of seconds from 0 to ${MAX_WAIT_SECONDS}`);
  }
  return Number(text);
}

/**
 * `GET /v1/status/{request_id}[?wait=N]`. With `wait`, the call is held (polling the table every
 * LONG_POLL_INTERVAL_MS) until the status or progress changes or N seconds pass.
 */
export async function statusRoute(
  deps: ApiDeps,
  request: ApiRequest,
  params: Record<string, string>,
  context: InvocationContext,
  caller: Principal,
): Promise<APIGatewayProxyResult> {
  const requestId = requestIdParam(params);
  const waitMs = waitSeconds(request.query) * 1000;
  let item = await readOwnedRequest(deps, requestId, caller);
  if (item === undefined) throw notFound();

  if (waitMs > 0 && !isTerminal(item.status)) {
    const until = deps.now() + Math.min(waitMs, context.getRemainingTimeInMillis() - LONG_POLL_MARGIN_MS);
    const seen = changeFingerprint(item);
    while (deps.now() + deps.config.longPollIntervalMs <= until) {
      await delay(deps.config.longPollIntervalMs);
      const next = await readOwnedRequest(deps, requestId, caller);
      if (next === undefined) throw notFound();
      item = next;
      if (changeFingerprint(next) !== seen) break;
    }
  }

  const headers: Record<string, string> = { 'Cache-Control': 'no-store' };
  if (!isTerminal(item.status)) headers['Retry-After'] = String(retryAfterSeconds(item, deps.now()));
  const view = await presentView(item, deps.objects, deps.now(), deps.config.resultUrlSeconds);
  if (view === undefined) throw notFound();
  return json(200, view, headers);
}
