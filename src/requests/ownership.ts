import { apiKeyIdOf, apiKeyOwner } from '../auth/principal.js';
import type { StoredRequest } from './model.js';

/** An item's owner: `owner`, or for one written before owners existed, the API key that created it. */
export function ownerOf(item: Pick<StoredRequest, 'owner' | 'api_key_id'>): string | undefined {
  return item.owner ?? (item.api_key_id !== undefined ? apiKeyOwner(item.api_key_id) : undefined);
}

/** Whether the caller with this owner (undefined: the anonymous tenant) may see the request. */
export function isVisibleTo(item: Pick<StoredRequest, 'owner' | 'api_key_id'>, owner: string | undefined): boolean {
  return ownerOf(item) === owner;
}

/** {@link isVisibleTo} as a DynamoDB condition, for writes that only the owner may make. */
export function ownedCondition(owner: string | undefined): { expression: string; names: Record<string, string>; values: Record<string, unknown> } {
  // `owner` is a DynamoDB reserved word.
  const names = { '#owner': 'owner' };
  if (owner === undefined) return { expression: '(attribute_not_exists(#owner) AND attribute_not_exists(api_key_id))', names, values: {} };
  const legacyKey = apiKeyIdOf(owner);
  if (legacyKey === undefined) return { expression: '#owner = :owner', names, values: { ':owner': owner } };
  return {
    expression: '(#owner = :owner OR (attribute_not_exists(#owner) AND api_key_id = :legacyKey))',
    names,
    values: { ':owner': owner, ':legacyKey': legacyKey },
  };
}
