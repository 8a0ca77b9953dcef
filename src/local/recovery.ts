import { ScanCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { createDocumentClient, sdkConfig } from '../aws-clients.js';
import { describeError } from '../log.js';
import { LambdaClient, createLambdaDispatcher } from '../requests/dispatcher.js';
import { RequestStatus } from '../contract.js';
import { type StoredRequest } from '../requests/model.js';
import { claimableFrom } from '../requests/transitions.js';

/** Past the lease's end, so the claim condition (`lease_until <= now`) surely holds when the event runs. */
const AFTER_LEASE_MS = 250;

export interface RecoveryOptions {
  tableName: string;
  functionName: string;
  dynamodbEndpoint: string;
  lambdaEndpoint: string;
  region: string;
  credentials: { accessKeyId: string; secretAccessKey: string };
  log: (line: string) => void;
  now?: () => number;
}

export interface Recovery {
  /** Requests found pending or processing; each gets one `Event` invoke. */
  found: number;
  /** Resolves when every scheduled invoke was sent (or failed and was logged). */
  done: Promise<void>;
  /** Drops the invokes not sent yet (the stack is stopping). */
  cancel(): void;
}

/**
 * In AWS the async invocation queue is durable; locally it lives in memory, so a hard kill of the
 * stack loses the events of requests it accepted. At start, every request still pending or
 * processing gets a new `Event` invoke through the local Invoke API, no earlier than its lease's end:
 * the worker's claim then finishes it, or marks it lost when no attempt is left. A duplicate of an
 * event that did survive is harmless, as the claim is a conditional write.
 */
export async function recoverInFlight(options: RecoveryOptions): Promise<Recovery> {
  const now = options.now ?? Date.now;
  const clientOptions = { region: options.region, credentials: options.credentials };
  const dynamo = createDocumentClient(sdkConfig({ ...clientOptions, endpoint: options.dynamodbEndpoint }));
  let inFlight: StoredRequest[];
  try {
    inFlight = await scanInFlight(dynamo, options.tableName, now());
  } finally {
    dynamo.destroy();
  }

  const lambda = new LambdaClient(sdkConfig({ ...clientOptions, endpoint: options.lambdaEndpoint }));
  const dispatcher = createLambdaDispatcher(lambda);
  const timers = new Set<NodeJS.Timeout>();
  const cancels: Array<() => void> = [];
  const sends = inFlight.map(
    (item) =>
      new Promise<void>((resolve) => {
        const claimableAt = claimableFrom(item);
        const waitMs = claimableAt === 0 ? 0 : Math.max(0, claimableAt - now()) + AFTER_LEASE_MS;
        const timer = setTimeout(() => {
          timers.delete(timer);
          dispatcher
            .dispatch(item.request_id, options.functionName)
            .catch((error: unknown) => {
              options.log(JSON.stringify({ level: 'error', message: 'recovery invoke failed', request_id: item.request_id, ...describeError(error) }));
            })
            .finally(resolve);
        }, waitMs);
        timers.add(timer);
        // Resolved early by cancel(), so `done` never hangs on a dropped timer.
        cancels.push(() => {
          clearTimeout(timer);
          resolve();
        });
      }),
  );
  const done = Promise.all(sends).then(() => lambda.destroy());

  if (inFlight.length > 0) {
    const latest = Math.max(...inFlight.map(claimableFrom));
    options.log(
      `recovery: ${inFlight.length} request(s) were pending or processing at the last stop; re-invoking them` +
        (latest > now() ? ` (some after their lease ends, in up to ${Math.ceil((latest - now()) / 1000)} s)` : ''),
    );
  } else {
    options.log('recovery: no request was left pending or processing');
  }
  return {
    found: inFlight.length,
    done,
    cancel() {
      for (const cancel of cancels.splice(0)) cancel();
      timers.clear();
    },
  };
}

/** Every live request not yet terminal; a full scan is fine for a local table. */
async function scanInFlight(client: DynamoDBDocumentClient, tableName: string, nowMs: number): Promise<StoredRequest[]> {
  const items: StoredRequest[] = [];
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await client.send(
      new ScanCommand({
        TableName: tableName,
        // Strongly consistent: the worker's last writes before the kill must be seen.
        ConsistentRead: true,
        FilterExpression: '#status IN (:pending, :processing) AND expires_at > :nowSec',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: {
          ':pending': RequestStatus.Pending,
          ':processing': RequestStatus.Processing,
          ':nowSec': Math.floor(nowMs / 1000),
        },
        ...(startKey !== undefined ? { ExclusiveStartKey: startKey } : {}),
      }),
    );
    items.push(...((page.Items ?? []) as StoredRequest[]));
    startKey = page.LastEvaluatedKey;
  } while (startKey !== undefined);
  return items;
}
