import { randomUUID } from 'node:crypto';
import type { APIGatewayProxyResult } from 'aws-lambda';
import { ownerScope, type Principal } from '../auth/principal.js';
import { CallbackRefusedError, callbackPolicy, type CallbackPolicy } from '../callbacks/callback-url.js';
import { Metric } from '../metrics.js';
import { describeError } from '../log.js';
import { DispatchFailedError, StorageUnavailableError } from '../requests/errors.js';
import { bodyHash, requestIdForKey } from '../requests/idempotency.js';
import { RequestStatus } from '../contract.js';
import { isExpired } from '../requests/lifecycle.js';
import { newPendingRequest, type StoredRequest } from '../requests/model.js';
import { MIN_RETRY_AFTER_SECONDS } from '../requests/retry-after.js';
import type { ApiDeps, InvocationContext } from '../handler-deps.js';
import type { ApiRequest } from './api-request.js';
import { HttpError, invalidField } from './http-error.js';
import { parseInvokeInput } from './invoke-input.js';
import { json } from './responses.js';
import { statusUrl } from './base-url.js';

export const DISPATCH_RETRY_AFTER_SECONDS = 2;

const dispatchUnavailable = () =>
  new HttpError(503, 'dispatch_unavailable', 'the work could not be queued', {
    headers: { 'Retry-After': String(DISPATCH_RETRY_AFTER_SECONDS) },
  });

/**
 * `POST /v1/invoke`: store first, then queue the work, then answer 202, so a 202 always means the
 * request is durable. If the work cannot be queued, the stored request is removed again and the
 * caller gets 503: nothing half-started, and a retry (with the same Idempotency-Key) is safe.
 */
export async function invokeRoute(deps: ApiDeps, request: ApiRequest, context: InvocationContext, caller: Principal): Promise<APIGatewayProxyResult> {
  const policy = callbackPolicy(deps.config);
  const { task, input, idempotencyKey, callbackUrl } = parseInvokeInput(request, deps.tasks, { enabled: deps.config.webhookSecret !== undefined, policy });
  // Two owners' Idempotency-Keys never meet; an API key's ids are what they were before owners.
  const requestId = idempotencyKey === undefined ? randomUUID() : requestIdForKey(deps.config.requestIdSecret, ownerScope(caller.owner), idempotencyKey);
  const item = newPendingRequest({
    requestId,
    task,
    input,
    nowMs: deps.now(),
    ttlSeconds: deps.config.ttlSeconds,
    deadlineSeconds: deps.config.deadlineSeconds,
    maxAttempts: deps.config.maxAttempts,
    sweepGraceSeconds: deps.config.sweepGraceSeconds,
    ...(idempotencyKey !== undefined ? { bodyHash: bodyHash(task, input, callbackUrl?.href) } : {}),
    ...(caller.owner !== undefined ? { owner: caller.owner } : {}),
    ...(callbackUrl !== undefined ? { callbackUrl: callbackUrl.href } : {}),
  });

  // A replay answers as the original did: its callback_url was checked then, and is checked again
  // before every delivery, so what its host resolves to now does not change the answer.
  const stored = idempotencyKey === undefined ? undefined : await deps.store.get(requestId);
  if (stored !== undefined && !isExpired(stored, deps.now())) return replay(deps, request, context, stored, item);
  if (callbackUrl !== undefined) await checkDestination(deps, callbackUrl, policy);
  const created = await deps.store.create(item);
  if (!created.created) return replay(deps, request, context, created.existing, item);

  // Not queued: the request is removed again and the caller gets 503, nothing started. Unless it
  // was taken on meanwhile: a worker claimed it (the failed call had in fact queued the event), or
  // a replay of its key or the sweeper dispatched it; it will run, so this call answers 202 too.
  if (!(await dispatch(deps, requestId, context)) && (await removeUndispatched(deps, requestId)) === 'removed') {
    throw dispatchUnavailable();
  }
  deps.metrics.put(Metric.Accepted, 1);
  deps.log.info('accepted', { request_id: requestId, task: item.task });
  return accepted(request, item, 'Request accepted. Poll status_url (the Location header) until status is complete or error.');
}

/** The answer to a repeated key: 422 for another body, else the stored request's 202, its work queued again if never claimed. */
async function replay(deps: ApiDeps, request: ApiRequest, context: InvocationContext, existing: StoredRequest, item: StoredRequest): Promise<APIGatewayProxyResult> {
  if (existing.body_hash === undefined || existing.body_hash !== item.body_hash) {
    throw new HttpError(422, 'idempotency_key_reused', 'Idempotency-Key: was already used with a different body', {
      field: 'Idempotency-Key',
    });
  }
  // A replay may follow a 503 whose clean-up failed too, or race a first call still dispatching: a
  // request no worker has claimed is marked (so no clean-up can remove it) and queued again (a
  // duplicate event is harmless), so an accepted replay always means work that will run.
  const neverClaimed = existing.status === RequestStatus.Pending && existing.attempt === 0;
  if (neverClaimed && (await deps.store.markRedispatched(existing.request_id)) && !(await dispatch(deps, existing.request_id, context))) {
    throw dispatchUnavailable();
  }
  return accepted(request, existing, 'Request already accepted under this Idempotency-Key; nothing new was started.', {
    'Idempotent-Replayed': 'true',
  });
}

/**
 * Removes a stored request whose dispatch failed. If the table cannot be reached for that either,
 * the request stays stored and the sweeper may yet run it: the caller is told the outcome is not
 * known (500), never that nothing was started; a retry with the same Idempotency-Key finds out.
 */
async function removeUndispatched(deps: ApiDeps, requestId: string): Promise<'removed' | 'claimed' | 'replayed'> {
  try {
    return await deps.store.removeUndispatched(requestId);
  } catch (error) {
    if (!(error instanceof StorageUnavailableError)) throw error;
    deps.log.error('dispatch failed and the stored request could not be removed: it may still run', { request_id: requestId, ...describeError(error) });
    throw new HttpError(500, 'outcome_unknown', 'the request was stored but could be neither queued nor removed');
  }
}

/** Where callback_url resolves to, checked now as well as before each delivery: a private address is refused at once. */
async function checkDestination(deps: ApiDeps, url: URL, policy: CallbackPolicy): Promise<void> {
  // Loaded only for a submit that names a callback_url.
  const { CallbackLookupError, resolveDestination } = await import('../callbacks/destination.js');
  try {
    await resolveDestination(url, policy, deps.config.callbackTimeoutMs, deps.lookupHost);
  } catch (error) {
    if (error instanceof CallbackRefusedError) throw invalidField('callback_url', error.message);
    if (error instanceof CallbackLookupError) {
      throw new HttpError(503, 'callback_lookup_failed', "callback_url's host could not be looked up just now", { headers: { 'Retry-After': String(DISPATCH_RETRY_AFTER_SECONDS) } });
    }
    throw error;
  }
}

/** Queues the work for a stored request; false (logged) when Lambda would not take the event. */
async function dispatch(deps: ApiDeps, requestId: string, context: InvocationContext): Promise<boolean> {
  try {
    const dispatcher = await deps.dispatcher();
    await dispatcher.dispatch(requestId, context.invokedFunctionArn);
    return true;
  } catch (error) {
    if (!(error instanceof DispatchFailedError)) throw error;
    deps.log.error('dispatch failed', { request_id: requestId, aws_request_id: context.awsRequestId, ...describeError(error) });
    return false;
  }
}

function accepted(
  request: Pick<ApiRequest, 'baseUrl'>,
  item: StoredRequest,
  message: string,
  headers: Record<string, string> = {},
): APIGatewayProxyResult {
  const url = statusUrl(request.baseUrl, item.request_id);
  return json(
    202,
    { request_id: item.request_id, status: item.status, status_url: url, message },
    { Location: url, 'Retry-After': String(MIN_RETRY_AFTER_SECONDS), 'Cache-Control': 'no-store', ...headers },
  );
}
