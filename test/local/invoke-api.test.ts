import {
  InvokeCommand,
  type LambdaClient,
  RequestTooLargeException,
  ResourceNotFoundException,
  ServiceException,
  type InvokeCommandInput,
} from '@aws-sdk/client-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LambdaService } from '../../src/local/lambda-service.js';
import { createLogCollector } from '../support/logs.js';
import { TEST_FUNCTION, startTestLambdaService } from './helpers.js';

const MB = 1024 * 1024;
const REQUEST_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** A JSON payload of about `bytes` bytes. */
function payloadOf(bytes: number): Uint8Array {
  return new TextEncoder().encode(JSON.stringify({ fill: 'x'.repeat(bytes) }));
}

describe('the local Invoke API, through the real Lambda SDK client', () => {
  let service: LambdaService;
  let client: LambdaClient;
  const logs = createLogCollector();
  const runs: unknown[] = [];

  beforeAll(async () => {
    const run = async (event: unknown) => {
      runs.push(event);
      return { ok: true };
    };
    ({ service, client } = await startTestLambdaService(run, { asyncRetry: { retries: 0, delaysMs: [] }, log: logs.log }));
  });
  afterAll(async () => {
    client?.destroy();
    await service?.stop();
  });

  const send = (input: Partial<InvokeCommandInput>) =>
    client.send(new InvokeCommand({ FunctionName: TEST_FUNCTION, Payload: new TextEncoder().encode('{}'), ...input }));
  const failure = (input: Partial<InvokeCommandInput>) =>
    send(input).then(
      () => {
        throw new Error('expected the call to fail');
      },
      (error: unknown) => error as ServiceException,
    );

  it('refuses a RequestResponse payload over 6 MB with 413 RequestTooLargeException', async () => {
    const error = await failure({ Payload: payloadOf(7 * MB) });

    expect(error).toBeInstanceOf(RequestTooLargeException);
    expect(error.$metadata.httpStatusCode).toBe(413);
    expect(error.message).toBe('Request must be smaller than 6291456 bytes for the InvokeFunction operation');
  });

  it('refuses an Event payload over 1 MB with 413 RequestTooLargeException, and runs nothing', async () => {
    runs.length = 0;
    const error = await failure({ InvocationType: 'Event', Payload: payloadOf(MB + 1024) });
    await service.idle();

    expect(error).toBeInstanceOf(RequestTooLargeException);
    expect(error.$metadata.httpStatusCode).toBe(413);
    expect(runs).toHaveLength(0);
  });

  it('accepts payloads just under each limit', async () => {
    const sync = await send({ Payload: payloadOf(6 * MB - 100) });
    const event = await send({ InvocationType: 'Event', Payload: payloadOf(MB - 100) });
    expect([sync.StatusCode, event.StatusCode]).toEqual([200, 202]);
  });

  it('sends x-amzn-RequestId on every answer: 200, 202, 204 and errors', async () => {
    logs.lines.length = 0;
    const result = await send({});
    const event = await send({ InvocationType: 'Event' });
    const dryRun = await send({ InvocationType: 'DryRun' });
    const notFound = await failure({ FunctionName: 'other' });
    const tooLarge = await failure({ Payload: payloadOf(7 * MB) });

    expect([result.StatusCode, event.StatusCode, dryRun.StatusCode]).toEqual([200, 202, 204]);
    for (const metadata of [result.$metadata, event.$metadata, dryRun.$metadata, notFound.$metadata, tooLarge.$metadata]) {
      expect(metadata.requestId).toMatch(REQUEST_ID);
    }
    // A synchronous call's id is the invocation's own, the one in its START and REPORT lines.
    expect(logs.lines).toContain(`START RequestId: ${result.$metadata.requestId} Version: $LATEST`);
  });

  it('knows only $LATEST: an unknown qualifier, as a parameter or a name suffix, is 404 ResourceNotFoundException', async () => {
    const arn = 'arn:aws:lambda:us-east-1:000000000000:function:fn';
    runs.length = 0;
    const unknown = await Promise.all([
      failure({ Qualifier: 'prod' }),
      failure({ Qualifier: '1' }),
      failure({ FunctionName: `${TEST_FUNCTION}:prod` }),
      failure({ FunctionName: `${arn}:prod` }),
      failure({ FunctionName: `${arn}:7`, InvocationType: 'Event' }),
    ]);
    const latest = await Promise.all([
      send({ Qualifier: '$LATEST' }),
      send({ FunctionName: `${TEST_FUNCTION}:$LATEST` }),
      send({ FunctionName: `${arn}:$LATEST` }),
      send({ FunctionName: arn }),
      send({ FunctionName: `000000000000:function:${TEST_FUNCTION}` }),
    ]);

    for (const error of unknown) {
      expect(error).toBeInstanceOf(ResourceNotFoundException);
      expect(error.$metadata.httpStatusCode).toBe(404);
    }
    expect(unknown[0]!.message).toBe(`Function not found: ${arn}:prod`);
    expect(latest.map((answer) => answer.StatusCode)).toEqual([200, 200, 200, 200, 200]);
    await service.idle();
    expect(runs).toHaveLength(5);
  });
});
