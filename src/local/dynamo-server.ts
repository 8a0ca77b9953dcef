import { mkdirSync } from 'node:fs';
import {
  BatchWriteItemCommand,
  CreateTableCommand,
  DeleteTableCommand,
  DescribeTableCommand,
  type AttributeValue,
  type DynamoDBClient,
  ResourceNotFoundException,
  ScanCommand,
  waitUntilTableNotExists,
} from '@aws-sdk/client-dynamodb';
import { OWNER_INDEX, OWNER_INDEX_ATTRIBUTES, OWNER_INDEX_HASH_KEY, OWNER_INDEX_RANGE_KEY } from '../requests/owner-index.js';
import { SWEEP_INDEX, sweepShard } from '../requests/sweep-index.js';
import dynalite from 'dynalite';
import { close, listen } from './listen.js';

export interface DynamoServer {
  endpoint: string;
  stop(): Promise<void>;
}

/**
 * An embedded DynamoDB-compatible server (dynalite) on loopback. With `dir` it persists to that
 * folder (LevelDB), so a restart keeps every request; without, it lives in memory.
 */
export async function startDynamo(options: { dir?: string; port?: number; maxItemSizeKb?: number }): Promise<DynamoServer> {
  if (options.dir !== undefined) mkdirSync(options.dir, { recursive: true });
  const server = dynalite({
    ...(options.dir !== undefined ? { path: options.dir } : {}),
    createTableMs: 0,
    deleteTableMs: 0,
    updateTableMs: 0,
    // Tests shrink DynamoDB's 400 KB item limit to make a write fail for real.
    ...(options.maxItemSizeKb !== undefined ? { maxItemSizeKb: options.maxItemSizeKb } : {}),
  });
  const endpoint = await listen(server, options.port ?? 0);
  return { endpoint, stop: () => close(server) };
}

/**
 * Creates the requests table as Terraform defines it (hash key `request_id`, on demand, the sparse
 * sweep and owner indexes) if missing. A table from an older version, without either, is rebuilt with them
 * and its items copied back, the live ones due for a sweep: dynalite cannot add an index to a
 * table, and the data is local.
 */
export async function ensureTable(client: DynamoDBClient, tableName: string): Promise<void> {
  let indexes: string[];
  try {
    const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
    indexes = (Table?.GlobalSecondaryIndexes ?? []).map((index) => index.IndexName ?? '');
  } catch (error) {
    if (!(error instanceof ResourceNotFoundException)) throw error;
    await createTable(client, tableName);
    return;
  }
  if (indexes.includes(SWEEP_INDEX) && indexes.includes(OWNER_INDEX)) return;
  const items = await scanAll(client, tableName);
  await client.send(new DeleteTableCommand({ TableName: tableName }));
  // dynalite ends a delete on a later tick; a create before then is refused as ResourceInUse.
  await waitUntilTableNotExists({ client, maxWaitTime: 30, minDelay: 1, maxDelay: 1 }, { TableName: tableName });
  await createTable(client, tableName);
  for (let start = 0; start < items.length; start += 25) {
    const batch = items.slice(start, start + 25).map((Item) => ({ PutRequest: { Item: withSweepEntry(Item) } }));
    let unprocessed: Record<string, typeof batch> | undefined = { [tableName]: batch };
    while (unprocessed !== undefined && (unprocessed[tableName]?.length ?? 0) > 0) {
      const output = await client.send(new BatchWriteItemCommand({ RequestItems: unprocessed }));
      unprocessed = output.UnprocessedItems as typeof unprocessed;
    }
  }
}

/** A request still live gets a sweep entry due now, so the sweeper looks at it as at any other. */
function withSweepEntry(item: Record<string, AttributeValue>): Record<string, AttributeValue> {
  const status = item.status?.S;
  const requestId = item.request_id?.S;
  if (requestId === undefined || (status !== 'pending' && status !== 'processing') || item.sweep_at !== undefined) return item;
  return { ...item, sweep_shard: { S: sweepShard(requestId) }, sweep_at: { N: String(Date.now()) } };
}

function createTable(client: DynamoDBClient, tableName: string): Promise<unknown> {
  return client.send(
    new CreateTableCommand({
      TableName: tableName,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [
        { AttributeName: 'request_id', AttributeType: 'S' },
        { AttributeName: 'sweep_shard', AttributeType: 'S' },
        { AttributeName: 'sweep_at', AttributeType: 'N' },
        { AttributeName: OWNER_INDEX_HASH_KEY, AttributeType: 'S' },
        { AttributeName: OWNER_INDEX_RANGE_KEY, AttributeType: 'S' },
      ],
      KeySchema: [{ AttributeName: 'request_id', KeyType: 'HASH' }],
      GlobalSecondaryIndexes: [
        {
          IndexName: SWEEP_INDEX,
          KeySchema: [
            { AttributeName: 'sweep_shard', KeyType: 'HASH' },
            { AttributeName: 'sweep_at', KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: 'KEYS_ONLY' },
        },
        {
          IndexName: OWNER_INDEX,
          KeySchema: [
            { AttributeName: OWNER_INDEX_HASH_KEY, KeyType: 'HASH' },
            { AttributeName: OWNER_INDEX_RANGE_KEY, KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: 'INCLUDE', NonKeyAttributes: [...OWNER_INDEX_ATTRIBUTES] },
        },
      ],
    }),
  );
}

async function scanAll(client: DynamoDBClient, tableName: string): Promise<Array<Record<string, AttributeValue>>> {
  const items: Array<Record<string, AttributeValue>> = [];
  let start: Record<string, AttributeValue> | undefined;
  do {
    const page = await client.send(new ScanCommand({ TableName: tableName, ExclusiveStartKey: start }));
    items.push(...(page.Items ?? []));
    start = page.LastEvaluatedKey;
  } while (start !== undefined);
  return items;
}
