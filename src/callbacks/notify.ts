import { CallbackStatus, DeliveryFailure, isTerminal, type CallbackView } from '../contract.js';
import { delay } from '../delay.js';
import type { CallbackDeps } from './callback-deps.js';
import { describeError } from '../log.js';
import { Metric } from '../metrics.js';
import { isExpired } from '../requests/lifecycle.js';
import { owesCallback, type StoredRequest } from '../requests/model.js';
import { presentView } from '../requests/present.js';
import { nextSweepAt } from '../requests/transitions.js';
import { postWebhook, signedHeaders, type DeliveryResult } from './deliver.js';
import { CallbackRefusedError, callbackPolicy, parseCallbackUrl } from './callback-url.js';
import { CallbackLookupError, resolveDestination } from './destination.js';
import { ownerOf } from '../requests/ownership.js';
import { ownerWebhookSecret } from './owner-secret.js';
import { TRIES_IN_INVOCATION, TRY_HEADROOM_MS, backoffMs, deliveryWindowMs, retryDelayMs, webhookId } from './schedule.js';

/**
 * The body of a request's webhook: the Standard Webhooks envelope around its view (without the
 * delivery's own state), so bounded as the view is; none once the view reads as gone.
 */
export async function payloadOf(
  deps: Pick<CallbackDeps, 'objects' | 'now'> & { config: Pick<CallbackDeps['config'], 'resultUrlSeconds'> },
  item: StoredRequest,
): Promise<string | undefined> {
  const presented = await presentView(item, deps.objects, deps.now(), deps.config.resultUrlSeconds);
  if (presented === undefined) return undefined;
  const { callback: _delivery, ...view } = presented;
  return JSON.stringify({ type: `request.${item.status}`, timestamp: item.updated_at, data: view });
}

/**
 * One try, within CALLBACK_TIMEOUT_MS from lookup to last byte: the URL and every address it
 * resolves to checked again (DNS may have changed since submit), then one signed POST.
 */
async function tryOnce(deps: CallbackDeps, item: StoredRequest, payload: string): Promise<DeliveryResult> {
  const startedAt = Date.now();
  try {
    const policy = callbackPolicy(deps.config);
    const destination = await resolveDestination(parseCallbackUrl(item.callback_url!, policy), policy, deps.config.callbackTimeoutMs, deps.lookupHost);
    const leftMs = deps.config.callbackTimeoutMs - (Date.now() - startedAt);
    if (leftMs <= 0) return { ok: false, status: DeliveryFailure.Timeout };
    const secret = ownerWebhookSecret(deps.config.webhookSecret!, ownerOf(item));
    const headers = signedHeaders(secret, webhookId(item.request_id, item.created_at), payload, new Date(deps.now()));
    return await postWebhook(destination, payload, headers, leftMs);
  } catch (error) {
    if (error instanceof CallbackLookupError) return { ok: false, status: DeliveryFailure.Network };
    if (!(error instanceof CallbackRefusedError)) throw error;
    deps.log.warn('webhook destination refused', { request_id: item.request_id, reason: error.message });
    return { ok: false, status: DeliveryFailure.Refused };
  }
}

/**
 * One delivery run of an ended request's webhook, by whoever holds its sweep entry (the worker
 * that ended it, or the sweeper that claimed the entry): up to `maxTries` tries with backoff while
 * `remainingMs` allows, then the outcome recorded: delivered, failed after CALLBACK_MAX_ATTEMPTS
 * tries, or pending with the time of the next try, which the sweeper makes.
 */
export async function deliverCallback(
  deps: CallbackDeps,
  item: StoredRequest,
  { maxTries, remainingMs }: { maxTries: number; remainingMs: () => number },
): Promise<CallbackView> {
  const seen = item.callback!;
  const fields = { request_id: item.request_id, callback_attempts: seen.attempts };
  if (deps.config.webhookSecret === undefined) {
    // Submit refuses callback_url without a secret; the secret was removed since.
    deps.log.error('webhook owed but WEBHOOK_SECRET is not set; giving it up', fields);
    return record(deps, item, { status: CallbackStatus.Failed, attempts: seen.attempts, last_status: DeliveryFailure.Refused });
  }
  const payload = await payloadOf(deps, item);
  if (payload === undefined) {
    deps.log.warn('webhook owed by a request about to expire; the sweeper clears it', fields);
    return seen;
  }
  let attempts = seen.attempts;
  let last: DeliveryResult | undefined;
  for (let index = 0; index < maxTries && attempts < deps.config.callbackMaxAttempts; index += 1) {
    const wait = backoffMs(index);
    if (remainingMs() < wait + deps.config.callbackTimeoutMs + TRY_HEADROOM_MS) {
      if (last === undefined) {
        last = { ok: false, status: DeliveryFailure.NoTime };
        // A run that makes no try counts one, so runs stay bounded, but never the last: that one is a
        // real POST, made by the sweeper's run, which always has room (the configuration sees to it).
        const counted = attempts + 1 < deps.config.callbackMaxAttempts;
        if (counted) attempts += 1;
        deps.log.warn('no time left in this invocation for a webhook try; the sweeper makes the next', { ...fields, counted });
      }
      break;
    }
    await delay(wait);
    last = await tryOnce(deps, item, payload);
    attempts += 1;
    if (last.ok) break;
    deps.log.warn('webhook try failed', { ...fields, status: last.status });
  }
  if (last === undefined) {
    // CALLBACK_MAX_ATTEMPTS was lowered below the tries already made.
    return record(deps, item, { status: CallbackStatus.Failed, attempts, last_status: seen.last_status ?? DeliveryFailure.NoTime });
  }
  if (last.ok) {
    deps.log.info('webhook delivered', { ...fields, attempts, status: last.status });
    return record(deps, item, { status: CallbackStatus.Delivered, attempts, last_status: last.status });
  }
  if (attempts >= deps.config.callbackMaxAttempts) {
    deps.log.error('webhook given up', { ...fields, attempts, last_status: last.status });
    deps.metrics.put(Metric.WebhookFailures, 1);
    return record(deps, item, { status: CallbackStatus.Failed, attempts, last_status: last.status });
  }
  const retryAt = nextSweepAt({ on: 'delivery_retry', nowMs: deps.now(), retryDelayMs: retryDelayMs(attempts) });
  return record(deps, item, { status: CallbackStatus.Pending, attempts, last_status: last.status }, retryAt);
}

async function record(deps: CallbackDeps, item: StoredRequest, next: CallbackView, retryAt?: number): Promise<CallbackView> {
  try {
    if (!(await deps.store.recordDelivery(item.request_id, item.callback!.attempts, next, retryAt))) {
      deps.log.warn('webhook delivery not recorded: another run recorded first', { request_id: item.request_id });
    }
  } catch (error) {
    // The sweep entry stays due: the sweeper delivers again later, with the same webhook-id.
    deps.log.warn('could not record a webhook delivery', { request_id: item.request_id, ...describeError(error) });
  }
  return next;
}

/**
 * `{"action":"deliver"}`: one delivery run of an ended request's owed webhook. The sweeper's event
 * carries the entry it claimed for the run (`claim`), which must still be as it left it; a cancel's
 * has none, and claims the entry here, if it is due: moved past the run's longest time, so of
 * everyone who read it only one delivers. The first run makes TRIES_IN_INVOCATION tries, later
 * ones one each.
 */
export async function deliverIfOwed(
  deps: CallbackDeps,
  requestId: string,
  claim: number | undefined,
  remainingMs: () => number,
): Promise<'delivering' | 'busy' | 'nothing_owed'> {
  const now = deps.now();
  const item = await deps.store.get(requestId);
  if (item === undefined || !isTerminal(item.status) || !owesCallback(item) || isExpired(item, now) || item.sweep_at === undefined) return 'nothing_owed';
  let run: StoredRequest | undefined = item;
  if (claim !== undefined) {
    if (item.sweep_at !== claim) return 'busy';
  } else {
    if (item.sweep_at > now) return 'busy';
    run = await deps.store.reschedule(requestId, item.sweep_at, nextSweepAt({ on: 'delivery_run', nowMs: now, deliveryWindowMs: deliveryWindowMs(deps.config.callbackTimeoutMs) }));
    if (run === undefined) return 'busy';
  }
  await deliverCallback(deps, run, { maxTries: run.callback!.attempts === 0 ? TRIES_IN_INVOCATION : 1, remainingMs });
  return 'delivering';
}
