import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { StackOptions, Stack } from '../../src/local/stack.js';
import { ErrorCode, RequestStatus } from '../../src/contract.js';
import { pollUntilTerminal, submitAccepted } from '../support/http.js';
import { readItem } from '../support/items.js';
import { createLogCollector } from '../support/logs.js';
import { ensureBuilt, startTestStack } from '../support/stack.js';
import { waitFor } from '../support/wait-for.js';
import { TEST_HANDLER } from './helpers.js';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { sdkConfig } from '../../src/aws-clients.js';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../../src/local/stack.js';

const PROMPT = 'Serverless functions scale to zero. They are cheap when idle. Lambda retries async events.';
/** Lambda's retry delays, shortened but kept longer than the 1 s lease so a retry can claim. */
const RETRY_AFTER_LEASE = { retries: 2, delaysMs: [1500, 1500] };

describe('the built bundle in sandboxes behind the local stack', () => {
  let stack: Stack | undefined;
  let logs = createLogCollector();

  beforeAll(() => ensureBuilt());
  afterEach(async () => {
    await stack?.stop();
    stack = undefined;
    logs = createLogCollector();
  });

  const start = async (options: Partial<StackOptions> = {}) =>
    (stack = await startTestStack({ runtime: 'sandbox', log: logs.log, ...options, env: { ...options.env } }));

  const accepted = () => submitAccepted(stack!.url, { prompt: PROMPT });

  it('runs a request to complete, with a REPORT line per invocation', async () => {
    await start();
    const id = await accepted();

    const { final } = await pollUntilTerminal(stack!.url, id);

    expect(final.body.status).toBe(RequestStatus.Complete);
    expect(logs.messages('claimed')).toHaveLength(1);
    const reports = logs.lines.filter((line) => line.startsWith('REPORT'));
    expect(reports.length).toBeGreaterThanOrEqual(3); // the POST, the work, the status reads
    expect(reports.some((line) => /\tInit Duration: \d+\.\d\d ms/.test(line))).toBe(true);
    for (const line of reports) expect(Number(/Max Memory Used: (\d+) MB/.exec(line)![1])).toBeGreaterThan(20);
  });

  it("lets the worker's own pre-deadline timeout win: error/timeout, no kill", async () => {
    await start({ lambdaTimeoutMs: 2000, env: { DEMO_TASK_MS: '20000' } });
    const id = await accepted();

    const { final } = await pollUntilTerminal(stack!.url, id);

    expect(final.body.status).toBe(RequestStatus.Error);
    expect(final.body.error_code).toBe(ErrorCode.Timeout);
    expect(logs.lines.some((line) => line.includes('Sandbox.Timedout'))).toBe(false);
  });

  it('kills a function that ignores its deadline, and logs the timeout as Lambda does', async () => {
    await start({ lambdaTimeoutMs: 500, sandboxModule: TEST_HANDLER });

    const outcome = await stack!.lambda.invoke({ action: 'ignore-deadline', ms: 30_000 });

    expect(outcome.functionError).toEqual({ errorType: 'Sandbox.Timedout', errorMessage: 'Task timed out after 0.50 seconds' });
    expect(logs.lines.find((line) => line.startsWith('REPORT'))).toMatch(/\tStatus: timeout\tError Type: Sandbox.Timedout$/);
    expect(stack!.sandbox!.counts()).toEqual({ busy: 0, idle: 0 });
  });

  it("finishes a request whose worker was killed mid-work through Lambda's retry, as attempt 2", async () => {
    await start({ asyncRetry: RETRY_AFTER_LEASE, env: { WORKER_LEASE_SECONDS: '1', DEMO_TASK_MS: '1500' } });
    const id = await accepted();
    await waitFor(() => (logs.messages('claimed').length === 1 ? true : undefined));

    expect(stack!.sandbox!.killAll()).toBe(1);
    const { final } = await pollUntilTerminal(stack!.url, id);

    expect(final.body.status).toBe(RequestStatus.Complete);
    expect((await readItem(stack!, id))!.attempt).toBe(2);
    expect(logs.lines.some((line) => line.includes('Runtime.ExitError'))).toBe(true);
  });

  it('ends a killed request as error/worker_lost when no attempt is left', async () => {
    await start({ asyncRetry: RETRY_AFTER_LEASE, env: { WORKER_LEASE_SECONDS: '1', DEMO_TASK_MS: '1500', MAX_ATTEMPTS: '1' } });
    const id = await accepted();
    await waitFor(() => (logs.messages('claimed').length === 1 ? true : undefined));

    stack!.sandbox!.killAll();
    const { final } = await pollUntilTerminal(stack!.url, id);

    expect(final.body.status).toBe(RequestStatus.Error);
    expect(final.body.error_code).toBe(ErrorCode.WorkerLost);
    expect((await readItem(stack!, id))!.attempt).toBe(1);
  });

  it("stops the 17th invocation of a chain of self-invocations, as Lambda's recursive loop detection does", async () => {
    await start({ sandboxModule: TEST_HANDLER });
    const client = new LambdaClient(sdkConfig({ region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS, endpoint: stack!.lambda.endpoint }));
    try {
      // From outside Lambda, with no trace header: the chain starts here.
      await client.send(new InvokeCommand({ FunctionName: 'async-router', InvocationType: 'Event', Payload: JSON.stringify({ action: 'chain', depth: 1 }) }));
      await waitFor(() => (logs.lines.some((line) => line.startsWith('RecursiveInvocationException')) ? true : undefined));
      await stack!.lambda.idle();
    } finally {
      client.destroy();
    }

    const links = logs.lines.filter((line) => line.startsWith('{"chain"')).map((line) => JSON.parse(line) as { chain: number; trace: string });
    expect(links.map((link) => link.chain)).toEqual(Array.from({ length: 16 }, (_, index) => index + 1));
    expect(links.map((link) => Number(/Lineage=[0-9a-f]{8}:(\d+)/.exec(link.trace)?.[1]))).toEqual(Array.from({ length: 16 }, (_, index) => index + 1));
    expect(logs.lines.filter((line) => line.startsWith('RecursiveInvocationException'))).toEqual([
      expect.stringMatching(/stopped invocation 17 of a chain of requests/),
    ]);
  });

  it('runs the work once when every async event is delivered twice', async () => {
    await start();
    stack!.lambda.faults.deliveriesPerEvent = 2;
    const id = await accepted();

    const { final } = await pollUntilTerminal(stack!.url, id);
    await stack!.lambda.idle();

    expect(final.body.status).toBe(RequestStatus.Complete);
    expect(logs.messages('claimed')).toHaveLength(1);
    expect(logs.messages('not claimed')).toHaveLength(1);
    expect((await readItem(stack!, id))!.attempt).toBe(1);
  });
});
