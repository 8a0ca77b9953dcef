import { randomUUID } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureTable } from '../../src/local/dynamo-server.js';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../../src/local/stack.js';
import { createDocumentClient } from '../../src/aws-clients.js';
import { MAX_ITEM_BYTES, itemSize } from '../../src/requests/item-size.js';
import { MAX_NESTED_CONTAINERS, unstorableReason } from '../../src/requests/storable.js';
import { dynamoDbLocalUnavailable, startDynamoDbLocal, type DynamoDbLocal } from '../support/dynamodb-local.js';
import { describeLeaseContract } from './lease-contract.js';
import { describeStoreContract } from './store-contract.js';

const unavailable = dynamoDbLocalUnavailable();
if (unavailable !== undefined) {
  console.warn(`SKIPPED: the store contract on Amazon's DynamoDB Local did not run: ${unavailable}`);
}

describe.skipIf(unavailable !== undefined)("Amazon's DynamoDB Local", () => {
  let local: DynamoDbLocal | undefined;

  beforeAll(async () => {
    local = await startDynamoDbLocal();
  }, 150_000);
  afterAll(async () => {
    await local?.stop();
  });

  it('runs isolated in a network namespace that has only loopback', () => {
    expect(local!.interfaces).toEqual(['lo']);
  });

  describeStoreContract('DynamoDB Local', () => local!.endpoint);
  describeLeaseContract('DynamoDB Local', () => local!.endpoint);

  // dynalite counts characters; Amazon's implementation counts UTF-8 bytes, as itemSize does.
  it('takes an item of exactly 400 KB by itemSize and refuses one byte more, multi-byte text, numbers, lists and maps included', async () => {
    const client = new DynamoDBClient({ endpoint: local!.endpoint, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS, maxAttempts: 1 });
    const documents = DynamoDBDocumentClient.from(client);
    await ensureTable(client, 'item-size');
    const fill = (bytes: number) => 'é'.repeat(Math.floor(bytes / 2)) + (bytes % 2 ? 'a' : '');
    const shapes = [{}, { n: 1_795_430_414_376, x: 0.125 }, { l: ['a', 'bb'] }, { m: { k: 'v', n: null, b: true } }];
    try {
      for (const shape of shapes) {
        const room = MAX_ITEM_BYTES - itemSize({ request_id: randomUUID(), ...shape, data: '' });
        const put = async (bytes: number) => {
          const item = { request_id: randomUUID(), ...shape, data: fill(bytes) };
          try {
            await documents.send(new PutCommand({ TableName: 'item-size', Item: item }));
            return `${itemSize(item)} stored`;
          } catch (error) {
            return `${itemSize(item)} ${(error as Error).name}`;
          }
        };
        expect([await put(room), await put(room + 1)]).toEqual([`${MAX_ITEM_BYTES} stored`, `${MAX_ITEM_BYTES + 1} ValidationException`]);
      }
    } finally {
      client.destroy();
    }
  });

  it('refuses exactly the values unstorableReason refuses, and takes the rest', async () => {
    const documents = createDocumentClient({ endpoint: local!.endpoint, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS, maxAttempts: 1 });
    await ensureTable(documents as unknown as DynamoDBClient, 'storable');
    const nest = (levels: number, list: boolean): unknown => (levels === 0 ? 1 : list ? [nest(levels - 1, list)] : { a: nest(levels - 1, list) });
    const values = [
      nest(MAX_NESTED_CONTAINERS, false), nest(MAX_NESTED_CONTAINERS + 1, false), nest(MAX_NESTED_CONTAINERS, true), nest(MAX_NESTED_CONTAINERS + 1, true),
      { '': 1 }, { a: { '': 1 } }, { a: '' },
      { n: 1e16 }, { n: 9.9e125 }, { n: 1e126 }, { n: 1e-130 }, { n: 1e-131 }, { n: 5e-324 }, { n: -1e126 },
    ];
    try {
      for (const value of values) {
        const stored = await documents.send(new PutCommand({ TableName: 'storable', Item: { request_id: randomUUID(), result: value } })).then(
          () => true,
          (error: Error) => (error.name === 'ValidationException' ? false : Promise.reject(error)),
        );
        expect(stored, JSON.stringify(value).slice(0, 80)).toBe(unstorableReason(value) === undefined);
      }
    } finally {
      documents.destroy();
    }
  });
});
