import type { APIGatewayProxyResult } from 'aws-lambda';
import type { Principal } from '../auth/principal.js';
import { DEFAULT_LIST_LIMIT, MAX_LIST_LIMIT, RequestStatus, type RequestList, type RequestSummary } from '../contract.js';
import type { ApiDeps } from '../handler-deps.js';
import type { ListedRequest } from '../requests/list-requests.js';
import { errorFields, headFields } from '../requests/model.js';
import type { ApiRequest } from './api-request.js';
import { statusUrl } from './base-url.js';
import { HttpError, invalidField } from './http-error.js';
import { decodeCursor, encodeCursor } from './list-cursor.js';
import { json } from './responses.js';

const STATUSES: readonly string[] = Object.values(RequestStatus);

function statusParam(query: ApiRequest['query']): RequestStatus | undefined {
  const text = query.status;
  if (text === undefined) return undefined;
  if (!STATUSES.includes(text)) throw invalidField('status', `must be one of ${STATUSES.join(', ')}`);
  return text as RequestStatus;
}

function limitParam(query: ApiRequest['query']): number {
  const text = query.limit;
  if (text === undefined) return DEFAULT_LIST_LIMIT;
  if (!/^\d{1,3}$/.test(text) || Number(text) < 1 || Number(text) > MAX_LIST_LIMIT) throw invalidField('limit', `must be a whole number from 1 to ${MAX_LIST_LIMIT}`);
  return Number(text);
}

/** A listed request as the caller sees it: what its view shows but the result and files, and where to read those. */
function summary(item: ListedRequest, baseUrl: string): RequestSummary {
  return { ...headFields(item, item.session_id), ...errorFields(item), status_url: statusUrl(baseUrl, item.request_id) };
}

/**
 * `GET /v1/requests[?status=&limit=&cursor=]`: the caller's own requests, newest first, a page at a
 * time from the owner index. The anonymous tenant has no owner to list by, so it is refused.
 */
export async function listRoute(deps: ApiDeps, request: ApiRequest, caller: Principal): Promise<APIGatewayProxyResult> {
  const { owner } = caller;
  if (owner === undefined) {
    throw new HttpError(403, 'identity_required', 'Listing requests needs a caller with an identity (an API key, a signed-in user or an IAM caller); this call has none.');
  }
  const status = statusParam(request.query);
  const limit = limitParam(request.query);
  const secret = deps.config.requestIdSecret;
  const startKey = request.query.cursor === undefined ? undefined : decodeCursor(secret, owner, request.query.cursor);
  const page = await deps.store.listOwned({ owner, status, limit, startKey, nowMs: deps.now() });
  const body: RequestList = {
    requests: page.items.map((item) => summary(item, request.baseUrl)),
    next_cursor: page.nextKey === undefined ? null : encodeCursor(secret, owner, page.nextKey),
  };
  return json(200, body, { 'Cache-Control': 'no-store' });
}
