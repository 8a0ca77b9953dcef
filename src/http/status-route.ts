import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { describeError } from '../log.js';
import { effectiveState, withEffectiveState } from '../requests/lifecycle.js';
import { isTerminal, isVisibleTo, toView, type StoredRequest } from '../requests/model.js';
import { retryAfterSeconds } from '../requests/retry-after.js';
import type { ApiContext, ApiDeps } from './api-deps.js';
import { callerKeyId } from './caller.js';
import { HttpError, invalidField } from './http-error.js';
import { json } from './responses.js';
import { requestIdParam } from './request-id.js';

export const MAX_WAIT_SECONDS = 25;
/** Answer a long-poll this long before the invocation would time out. */
const LONG_POLL_MARGIN_MS = 1000;

export function notFound(): HttpError {
  return new HttpError(404, 'not_found', 'No request with this id: it never existed or has expired.');
}

function waitSeconds(event: APIGatewayProxyEvent): number {
  const text = event.queryStringParameters?.wait;
  if (text === undefined || text === null) return 0;
  if (!/^\d{1,2}$/.test(text) || Number(text) > MAX_WAIT_SECONDS) {
    throw invalidField('wait', `must be a whole number of seconds from 0 to ${MAX_WAIT_SECONDS}`);
  }
  return Number(text);
}

/** What a poller cares about; a heartbeat that only renews the lease is not a change. */
function fingerprint(item: StoredRequest | undefined): string {
  return item === undefined ? 'gone' : `${item.status}|${item.progress?.percent}|${item.progress?.message}`;
}

/**
 * Reads the item as it really is now, writing a lost request's end so it is recorded once. Another
 * API key's request reads as missing, exactly like an unknown id.
 */
async function readEffective(deps: ApiDeps, requestId: string, apiKeyId: string | undefined): Promise<StoredRequest | undefined> {
  const item = await deps.store.get(requestId);
  if (item === undefined || !isVisibleTo(item, apiKeyId)) return undefined;
  const nowMs = deps.now();
  const state = effectiveState(item, nowMs);
  if (state.kind === 'gone') return undefined;
  if (state.kind === 'lost') {
    try {
      await deps.store.markLost(item, nowMs, state.errorCode, state.error);
    } catch (error) {
      // The reader still gets the right answer; the next read tries the write again.
      deps.log.warn('could not record a lost request', { request_id: requestId, ...describeError(error) });
    }
  }
  return withEffectiveState(item, state, new Date(nowMs).toISOString());
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * `GET /v1/status/{request_id}[?wait=N]`. With `wait`, the call is held (polling the table every
 * LONG_POLL_INTERVAL_MS) until the status or progress changes or N seconds pass.
 */
export async function statusRoute(
  deps: ApiDeps,
  event: APIGatewayProxyEvent,
  params: Record<string, string>,
  context: ApiContext,
): Promise<APIGatewayProxyResult> {
  const requestId = requestIdParam(params);
  const waitMs = waitSeconds(event) * 1000;
  const apiKeyId = callerKeyId(event);
  let item = await readEffective(deps, requestId, apiKeyId);
  if (item === undefined) throw notFound();

  if (waitMs > 0 && !isTerminal(item.status)) {
    const until = deps.now() + Math.min(waitMs, context.getRemainingTimeInMillis() - LONG_POLL_MARGIN_MS);
    const seen = fingerprint(item);
    while (deps.now() + deps.config.longPollIntervalMs <= until) {
      await sleep(deps.config.longPollIntervalMs);
      const next = await readEffective(deps, requestId, apiKeyId);
      if (next === undefined) throw notFound();
      item = next;
      if (fingerprint(next) !== seen) break;
    }
  }

  const headers: Record<string, string> = { 'Cache-Control': 'no-store' };
  if (!isTerminal(item.status)) headers['Retry-After'] = String(retryAfterSeconds(item, deps.now()));
  return json(200, toView(item), headers);
}
