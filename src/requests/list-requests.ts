import { QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { RequestStatus } from '../contract.js';
import type { StoredRequest } from './model.js';
import { OWNER_INDEX } from './owner-index.js';

/** Where a page of the owner index starts: the index's keys and the table's, as DynamoDB's ExclusiveStartKey takes them. */
export interface OwnerIndexKey {
  request_id: string;
  owner: string;
  created_at: string;
}

/** What the owner index holds of a request (see owner-index.ts). */
export type ListedRequest = Pick<
  StoredRequest,
  'request_id' | 'owner' | 'created_at' | 'status' | 'task' | 'updated_at' | 'expires_at' | 'progress' | 'step' | 'error' | 'error_code' | 'session_id'
>;

export interface OwnerQuery {
  owner: string;
  status: RequestStatus | undefined;
  limit: number;
  startKey: OwnerIndexKey | undefined;
  nowMs: number;
}

export interface OwnerPage {
  items: ListedRequest[];
  /** Where the next page starts; undefined: this was the last. */
  nextKey: OwnerIndexKey | undefined;
  /** Queries this page took: one, unless filters thinned it. */
  queries: number;
}

/** Queries one page may take at most; a page the filters thinned that far ends short, with a cursor to go on. */
export const MAX_QUERIES_PER_PAGE = 10;

const keyOf = (item: ListedRequest): OwnerIndexKey => ({ request_id: item.request_id, owner: item.owner!, created_at: item.created_at });

/**
 * One page of an owner's requests, newest first, from the owner index (never a scan). Expired
 * items (TTL deletes late) and, with `status`, other statuses are filtered out after DynamoDB reads
 * them, and a filter applies after `Limit`, so a thinned page is topped up by further Queries from
 * where the last stopped, up to {@link MAX_QUERIES_PER_PAGE}. Each Query asks one item more than
 * the page holds, so the last page says it is the last instead of leaving an empty one after it.
 */
export async function queryOwnerPage(client: DynamoDBDocumentClient, tableName: string, query: OwnerQuery): Promise<OwnerPage> {
  const byStatus = query.status !== undefined;
  const items: ListedRequest[] = [];
  let startKey: Record<string, unknown> | undefined = query.startKey ? { ...query.startKey } : undefined;
  let queries = 0;
  do {
    const output = await client.send(
      new QueryCommand({
        TableName: tableName,
        IndexName: OWNER_INDEX,
        KeyConditionExpression: '#owner = :owner',
        FilterExpression: `expires_at > :nowSec${byStatus ? ' AND #status = :status' : ''}`,
        ExpressionAttributeNames: { '#owner': 'owner', ...(byStatus ? { '#status': 'status' } : {}) },
        ExpressionAttributeValues: { ':owner': query.owner, ':nowSec': Math.floor(query.nowMs / 1000), ...(byStatus ? { ':status': query.status } : {}) },
        ScanIndexForward: false,
        Limit: query.limit + 1,
        ...(startKey !== undefined ? { ExclusiveStartKey: startKey } : {}),
      }),
    );
    queries += 1;
    items.push(...((output.Items ?? []) as ListedRequest[]));
    startKey = output.LastEvaluatedKey;
  } while (items.length <= query.limit && startKey !== undefined && queries < MAX_QUERIES_PER_PAGE);
  if (items.length > query.limit) {
    const page = items.slice(0, query.limit);
    return { items: page, nextKey: keyOf(page.at(-1)!), queries };
  }
  return { items, nextKey: startKey as OwnerIndexKey | undefined, queries };
}
