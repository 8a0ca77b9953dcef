import { CreateTableCommand, DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, PutCommand, QueryCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ensureTable, startDynamo } from '../../src/local/dynamo-server.js';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../../src/local/stack.js';
import { OWNER_INDEX } from '../../src/requests/owner-index.js';
import { SWEEP_INDEX, sweepShard } from '../../src/requests/sweep-index.js';

/** A dynalite persisting to `dir`, and clients on it, for `work`; all stopped afterwards. */
async function withDynamo(dir: string, work: (client: DynamoDBClient, documents: DynamoDBDocumentClient) => Promise<void>): Promise<void> {
  const dynamo = await startDynamo({ dir });
  const client = new DynamoDBClient({ endpoint: dynamo.endpoint, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS });
  try {
    await work(client, DynamoDBDocumentClient.from(client));
  } finally {
    client.destroy();
    await dynamo.stop();
  }
}

describe('ensureTable on a data folder from before the sweep index', () => {
  const dir = mkdtempSync(join(tmpdir(), 'table-upgrade-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('rebuilds the table with the indexes, keeps every item, and puts the live ones in the sweep index', async () => {
    await withDynamo(dir, async (client, documents) => {
      await client.send(new CreateTableCommand({
        TableName: 'old',
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [{ AttributeName: 'request_id', AttributeType: 'S' }],
        KeySchema: [{ AttributeName: 'request_id', KeyType: 'HASH' }],
      }));
      const items = Array.from({ length: 60 }, (_, index) => ({ request_id: `r-${index}`, status: index < 2 ? 'pending' : 'complete', result: { index } }));
      for (const Item of items) await documents.send(new PutCommand({ TableName: 'old', Item }));

      await ensureTable(client, 'old');
      await ensureTable(client, 'old'); // the second start finds it as it should be

      const { Table } = await client.send(new DescribeTableCommand({ TableName: 'old' }));
      expect(Table?.GlobalSecondaryIndexes?.map((index) => index.IndexName)).toEqual([SWEEP_INDEX, OWNER_INDEX]);
      const kept = (await documents.send(new ScanCommand({ TableName: 'old' }))).Items ?? [];
      kept.sort((a, b) => a.result.index - b.result.index);
      expect(kept.map(({ sweep_shard: _shard, sweep_at: _at, ...item }) => item)).toEqual(items);
      expect(kept.filter((item) => item.sweep_at !== undefined).map((item) => [item.request_id, item.sweep_shard])).toEqual([
        ['r-0', sweepShard('r-0')],
        ['r-1', sweepShard('r-1')],
      ]);
    });
  });

  it('rebuilds a table from before the owner index with it, and its owned items are listed', async () => {
    await withDynamo(join(dir, 'owner'), async (client, documents) => {
      await client.send(new CreateTableCommand({
        TableName: 'old',
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [{ AttributeName: 'request_id', AttributeType: 'S' }, { AttributeName: 'sweep_shard', AttributeType: 'S' }, { AttributeName: 'sweep_at', AttributeType: 'N' }],
        KeySchema: [{ AttributeName: 'request_id', KeyType: 'HASH' }],
        GlobalSecondaryIndexes: [{ IndexName: SWEEP_INDEX, KeySchema: [{ AttributeName: 'sweep_shard', KeyType: 'HASH' }, { AttributeName: 'sweep_at', KeyType: 'RANGE' }], Projection: { ProjectionType: 'KEYS_ONLY' } }],
      }));
      const item = { request_id: 'r-owned', owner: 'user:https://idp.example.com#alice', created_at: '2026-01-01T00:00:00.000Z', status: 'complete', expires_at: 4_000_000_000 };
      await documents.send(new PutCommand({ TableName: 'old', Item: item }));

      await ensureTable(client, 'old');

      const listed = await documents.send(new QueryCommand({ TableName: 'old', IndexName: OWNER_INDEX, KeyConditionExpression: '#owner = :owner', ExpressionAttributeNames: { '#owner': 'owner' }, ExpressionAttributeValues: { ':owner': item.owner } }));
      expect(listed.Items?.map((found) => found.request_id)).toEqual(['r-owned']);
    });
  });
});
