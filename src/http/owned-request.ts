import type { Principal } from '../auth/principal.js';
import type { ApiDeps } from '../handler-deps.js';
import { settle } from '../requests/lifecycle.js';
import type { StoredRequest } from '../requests/model.js';
import { isVisibleTo } from '../requests/ownership.js';

/**
 * The request as its caller may see it now: every route that shows a request reads it here.
 * Another owner's request reads as missing, exactly like an unknown or expired id.
 */
export async function readOwnedRequest(deps: ApiDeps, requestId: string, caller: Principal): Promise<StoredRequest | undefined> {
  const item = await deps.store.get(requestId);
  if (item === undefined || !isVisibleTo(item, caller.owner)) return undefined;
  return settle(deps, item, deps.now());
}
