import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dynamoDbLocalUnavailable, startDynamoDbLocal, type DynamoDbLocal } from '../support/dynamodb-local.js';
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
});
