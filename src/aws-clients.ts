import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

/** Where and as whom a client calls: the local stack's endpoints and dummy credentials; nothing in AWS. */
export interface AwsClientOptions {
  region?: string;
  credentials?: { accessKeyId: string; secretAccessKey: string };
  endpoint?: string | undefined;
}

/**
 * SDK settings chosen rather than left to defaults: three tries with the standard backoff, and
 * timeouts short enough that a dead endpoint turns into a clear 503 well inside the 29 s cut.
 * Plain data, so the lease keeper's thread builds the very same client from it.
 */
export function sdkConfig({ endpoint, ...options }: AwsClientOptions = {}): Record<string, unknown> {
  return {
    ...options,
    ...(endpoint !== undefined ? { endpoint } : {}),
    maxAttempts: 3,
    retryMode: 'standard',
    // Without throwOnRequestTimeout the SDK only warns at requestTimeout and waits on: a silent
    // endpoint would hold a call until API Gateway's 29 s cut.
    requestHandler: { connectionTimeout: 1000, requestTimeout: 3000, throwOnRequestTimeout: true },
  };
}

/**
 * The document client the request store uses: undefined values dropped, class instances as maps,
 * and numbers kept as the doubles JSON has, both ways: integers beyond 2^53 are written (the
 * marshaller would refuse them, and the write would look like an outage) and read back as numbers
 * (the default BigInt would break JSON.stringify of the view).
 */
export function createDocumentClient(config: Record<string, unknown>): DynamoDBDocumentClient {
  return DynamoDBDocumentClient.from(new DynamoDBClient(config), {
    marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: true, allowImpreciseNumbers: true },
    unmarshallOptions: { wrapNumbers: (value: string) => Number(value) },
  });
}
