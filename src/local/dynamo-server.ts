import { mkdirSync } from 'node:fs';
import { CreateTableCommand, DescribeTableCommand, type DynamoDBClient, ResourceNotFoundException } from '@aws-sdk/client-dynamodb';
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

/** Creates the requests table as Terraform defines it (hash key `request_id`, on demand) if missing. */
export async function ensureTable(client: DynamoDBClient, tableName: string): Promise<void> {
  try {
    await client.send(new DescribeTableCommand({ TableName: tableName }));
    return;
  } catch (error) {
    if (!(error instanceof ResourceNotFoundException)) throw error;
  }
  await client.send(
    new CreateTableCommand({
      TableName: tableName,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [{ AttributeName: 'request_id', AttributeType: 'S' }],
      KeySchema: [{ AttributeName: 'request_id', KeyType: 'HASH' }],
    }),
  );
}
