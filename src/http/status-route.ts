import type { APIGatewayProxyResult } from 'aws-lambda';
import { MAX_WAIT_SECONDS, changeFingerprint, isTerminal } from '../contract.js';
import { settle } from '../requests/lifecycle.js';
import { isVisibleTo, type StoredRequest } from '../requests/model.js';
import { presentView } from '../requests/present.js';
import { retryAfterSeconds } from '../requests/retry-after.js';
import { delay } from '../delay.js';
import type { ApiDeps, InvocationContext } from '../handler-deps.js';
import type { ApiRequest } from './api-request.js';
import { invalidField, notFound } from './http-error.js';
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
 * The request as its caller may see it now; another API key's request reads as missing, exactly
 * like an unknown id. Every route that shows a request (its view, its events) reads it here.
 */
export async function readVisible(deps: ApiDeps, requestId: string, apiKeyId: string | undefined): Promise<StoredRequest | undefined> {
  const item = await deps.store.get(requestId);
  if (item === undefined || !isVisibleTo(item, apiKeyId)) return undefined;
  return settle(deps, item, deps.now());
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
): Promise<APIGatewayProxyResult> {
  const requestId = requestIdParam(params);
  const waitMs = waitSeconds(request.query) * 1000;
  const { apiKeyId } = request;
  let item = await readVisible(deps, requestId, apiKeyId);
  if (item === undefined) throw notFound();

  if (waitMs > 0 && !isTerminal(item.status)) {
    const until = deps.now() + Math.min(waitMs, context.getRemainingTimeInMillis() - LONG_POLL_MARGIN_MS);
    const seen = changeFingerprint(item);
    while (deps.now() + deps.config.longPollIntervalMs <= until) {
      await delay(deps.config.longPollIntervalMs);
      const next = await readVisible(deps, requestId, apiKeyId);
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
