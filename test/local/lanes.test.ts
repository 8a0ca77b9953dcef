import { afterEach, describe, expect, it } from 'vitest';
import { Semaphore } from '../../src/local/semaphore.js';
import type { Stack } from '../../src/local/stack.js';
import { createTaskRegistry } from '../../src/tasks/registry.js';
import { status, submit } from '../support/http.js';
import { startTestStack } from '../support/stack.js';
import { waitFor } from '../support/wait-for.js';

describe('Semaphore', () => {
  it('grants permits in order, hands a released one to the oldest waiter, and frees waiters on close', async () => {
    const semaphore = new Semaphore(1);
    const order: string[] = [];
    expect(semaphore.tryAcquire()).toBe(true);
    const second = semaphore.acquire().then((granted) => order.push(`second:${granted}`));
    const third = semaphore.acquire().then((granted) => order.push(`third:${granted}`));
    expect(semaphore.tryAcquire()).toBe(false);

    semaphore.release();
    await second;
    semaphore.close();
    await third;
    expect(order).toEqual(['second:true', 'third:false']);
  });
});

describe('local execution lanes', () => {
  let stack: Stack | undefined;
  afterEach(async () => {
    await stack?.stop();
    stack = undefined;
  });

  it('run background work one lane at a time without ever starving API calls', async () => {
    let running = 0;
    let mostAtOnce = 0;
    let openLane: () => void = () => {};
    const laneHeld = new Promise<void>((resolve) => (openLane = resolve));
    const tasks = createTaskRegistry([
      {
        name: 'assess',
        description: 'holds its lane until the test lets go',
        async run({ reportProgress }) {
          running += 1;
          mostAtOnce = Math.max(mostAtOnce, running);
          reportProgress({ percent: 10, message: 'working' });
          await laneHeld.finally(() => (running -= 1));
          return 'done';
        },
      },
    ]);
    stack = await startTestStack({ lanes: { events: 1, sync: 1 }, handlerOverrides: { tasks } });

    const accepted = await Promise.all([1, 2, 3].map((n) => submit(stack!.url, { prompt: `job ${n}` })));
    // The single background lane is held by the first job (the others queue): status calls must be
    // answered meanwhile, or they never are.
    await waitFor(() => (running === 1 ? true : undefined));
    const reads = [];
    for (let index = 0; index < 5; index += 1) reads.push(await status(stack.url, accepted[0]!.body.request_id));
    const busyAfterReads = running;
    openLane();
    await stack.lambda.idle();
    const finals = await Promise.all(accepted.map((response) => status(stack!.url, response.body.request_id)));

    expect(accepted.map((response) => response.status)).toEqual([202, 202, 202]);
    expect(reads.map((read) => read.status)).toEqual([200, 200, 200, 200, 200]);
    expect(busyAfterReads).toBe(1);
    expect(mostAtOnce).toBe(1);
    expect(finals.map((response) => response.body.status)).toEqual(['complete', 'complete', 'complete']);
  });
});
