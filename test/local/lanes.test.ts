import { afterEach, describe, expect, it } from 'vitest';
import { Semaphore } from '../../src/local/semaphore.js';
import type { Stack } from '../../src/local/stack.js';
import { createTaskRegistry } from '../../src/tasks/registry.js';
import { delay } from '../../src/delay.js';
import { status, submit } from '../support/http.js';
import { startTestStack } from '../support/stack.js';

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
    const tasks = createTaskRegistry([
      {
        name: 'assess',
        description: 'holds its lane for a while',
        async run({ signal, reportProgress }) {
          running += 1;
          mostAtOnce = Math.max(mostAtOnce, running);
          reportProgress({ percent: 10, message: 'working' });
          await delay(1500, signal).finally(() => (running -= 1));
          return 'done';
        },
      },
    ]);
    stack = await startTestStack({ lanes: { events: 1, sync: 1 }, handlerOverrides: { tasks } });

    const accepted = await Promise.all([1, 2, 3].map((n) => submit(stack!.url, { prompt: `job ${n}` })));
    // While the single background lane is busy for ~4.5 s, status calls still answer well within one task's 1.5 s.
    const reads = [];
    for (let index = 0; index < 5; index += 1) reads.push(await status(stack.url, accepted[0]!.body.request_id));
    await stack.lambda.idle();
    const finals = await Promise.all(accepted.map((response) => status(stack!.url, response.body.request_id)));

    expect(accepted.map((response) => response.status)).toEqual([202, 202, 202]);
    expect(Math.max(...reads.map((read) => read.elapsedMs))).toBeLessThan(750);
    expect(mostAtOnce).toBe(1);
    expect(finals.map((response) => response.body.status)).toEqual(['complete', 'complete', 'complete']);
  });
});
