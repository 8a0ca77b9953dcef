import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { LOCAL_CREDENTIALS, LOCAL_REGION, type Stack } from '../../src/local/stack.js';
import type { StoredRequest } from '../../src/requests/model.js';

/** Runs `work` with a document client on the stack's DynamoDB, destroyed afterwards. */
async function withTable<T>(stack: Stack, work: (client: DynamoDBDocumentClient) => Promise<T>): Promise<T> {
  const client = DynamoDBDocumentClient.from(new DynamoDBClient({ endpoint: stack.dynamo.endpoint, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS }));
  try {
    return await work(client);
  } finally {
    client.destroy();
  }
}

/** Reads the stored item itself (attempt, lease, input), which the status view does not show; consistent. */
export function readItem(stack: Stack, requestId: string): Promise<StoredRequest | undefined> {
  return withTable(stack, async (client) => {
    const output = await client.send(new GetCommand({ TableName: stack.config.tableName, Key: { request_id: requestId }, ConsistentRead: true }));
    return output.Item as StoredRequest | undefined;
  });
}

/** Every item in the table (one page; test tables are small). */
export function scanItems(stack: Stack): Promise<Array<Record<string, unknown>>> {
  return withTable(stack, async (client) => (await client.send(new ScanCommand({ TableName: stack.config.tableName }))).Items ?? []);
}

/** Writes an item as is, bypassing the store: an item as an older version wrote it. */
export function writeItem(stack: Stack, item: StoredRequest): Promise<void> {
  return withTable(stack, async (client) => {
    await client.send(new PutCommand({ TableName: stack.config.tableName, Item: item }));
  });
}
