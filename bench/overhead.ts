import { randomUUID } from 'node:crypto';
import { InvokeCommand } from '@aws-sdk/client-lambda';
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { APIGatewayProxyResult } from 'aws-lambda';
import { newPendingRequest } from '../src/requests/model.js';
import { restEvent } from '../test/support/events.js';
import type { BenchStack } from './stack.js';
import { interleaved, median, percentile } from './stats.js';

const PROMPT = 'Serverless functions scale to zero. They are cheap when idle. Long work needs an asynchronous reply.';
const WARMUP = 30;

export interface OverheadFigures {
  runs: number;
  handler: { p50: number; p99: number };
  floor: { p50: number; p99: number };
}

function expectStatus(result: unknown, status: number): APIGatewayProxyResult {
  const answer = result as APIGatewayProxyResult;
  if (answer.statusCode !== status) throw new Error(`handler answered ${answer.statusCode}, expected ${status}: ${answer.body}`);
  return answer;
}

/** The same item `POST /v1/invoke` stores, so the floor writes as many bytes. */
function pendingItem(stack: BenchStack, requestId: string) {
  const { ttlSeconds, deadlineSeconds, maxAttempts, sweepGraceSeconds } = stack.config;
  return newPendingRequest({ requestId, task: 'assess', input: { prompt: PROMPT }, nowMs: Date.now(), ttlSeconds, deadlineSeconds, maxAttempts, sweepGraceSeconds });
}

const figures = (times: number[]) => ({ p50: median(times), p99: percentile(times, 99) });

/**
 * `POST /v1/invoke` through the handler, called in-process with a REST proxy event, against the
 * floor: one conditional PutItem and one `Event` Invoke with the same SDK clients to the same local
 * endpoints. After each call the Lambda service is drained, so the worker each one starts (the same
 * work for both) never overlaps the next measurement.
 */
export async function measureSubmit(stack: BenchStack, runs: number): Promise<OverheadFigures> {
  const viaHandler = async () => {
    const result = await stack.handler(restEvent('POST', '/v1/invoke', { body: { prompt: PROMPT } }), stack.context());
    expectStatus(result, 202);
  };
  const floor = async () => {
    const item = pendingItem(stack, randomUUID());
    await stack.doc.send(
      new PutCommand({
        TableName: stack.config.tableName,
        Item: item,
        ConditionExpression: 'attribute_not_exists(request_id) OR expires_at <= :nowSec',
        ExpressionAttributeValues: { ':nowSec': Math.floor(Date.now() / 1000) },
      }),
    );
    const output = await stack.lambdaClient.send(
      new InvokeCommand({
        FunctionName: stack.lambda.functionArn,
        InvocationType: 'Event',
        Payload: new TextEncoder().encode(JSON.stringify({ action: 'process', request_id: item.request_id })),
      }),
    );
    if (output.StatusCode !== 202) throw new Error(`Invoke answered ${output.StatusCode}`);
  };
  const drain = () => stack.lambda.idle();
  await interleaved(WARMUP, viaHandler, floor, drain);
  const times = await interleaved(runs, viaHandler, floor, drain);
  return { runs, handler: figures(times.a), floor: figures(times.b) };
}

/** `GET /v1/status/{id}` through the handler against one consistent GetItem of the same item. */
export async function measureStatus(stack: BenchStack, runs: number): Promise<OverheadFigures> {
  const submitted = expectStatus(await stack.handler(restEvent('POST', '/v1/invoke', { body: { prompt: PROMPT } }), stack.context()), 202);
  const requestId: string = JSON.parse(submitted.body).request_id;
  await stack.lambda.idle();
  const viaHandler = async () => {
    expectStatus(await stack.handler(restEvent('GET', `/v1/status/${requestId}`), stack.context()), 200);
  };
  const floor = async () => {
    const output = await stack.doc.send(
      new GetCommand({ TableName: stack.config.tableName, Key: { request_id: requestId }, ConsistentRead: true }),
    );
    if (output.Item === undefined) throw new Error('item missing');
  };
  await interleaved(WARMUP, viaHandler, floor);
  const times = await interleaved(runs, viaHandler, floor);
  return { runs, handler: figures(times.a), floor: figures(times.b) };
}
