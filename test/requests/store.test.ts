import { afterAll, beforeAll } from 'vitest';
import { startDynamo, type DynamoServer } from '../../src/local/dynamo-server.js';
import { describeStoreContract } from './store-contract.js';

let dynamo: DynamoServer;
beforeAll(async () => {
  dynamo = await startDynamo({});
});
afterAll(() => dynamo?.stop());

describeStoreContract('dynalite', () => dynamo.endpoint);
