import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { ensureTable, startDynamo } from '../../src/local/dynamo-server.js';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../../src/local/stack.js';
import { RequestStore } from '../../src/requests/store.js';

export interface TestTable {
  endpoint: string;
  store: RequestStore;
  stop(): Promise<void>;
}

/** An embedded dynalite with a requests table, and the store on it. */
export async function startTestTable(tableName: string, options: { maxItemSizeKb?: number } = {}): Promise<TestTable> {
  const dynamo = await startDynamo(options);
  const client = new DynamoDBClient({ endpoint: dynamo.endpoint, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS, maxAttempts: 1 });
  await ensureTable(client, tableName);
  return {
    endpoint: dynamo.endpoint,
    store: new RequestStore(DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } }), tableName),
    async stop() {
      client.destroy();
      await dynamo.stop();
    },
  };
}
