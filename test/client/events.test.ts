import { afterEach, describe, expect, it } from 'vitest';
import { createClient } from '../../src/client/index.js';
import type { StreamEvent } from '../../src/contract.js';
import type { Stack } from '../../src/local/stack.js';
import { draftTokens } from '../../src/tasks/draft.js';
import { startTestStack } from '../support/stack.js';
import { startTcpProxy } from '../support/tcp-proxy.js';

const PROMPT = 'A client that loses its connection picks up after the last event it saw.';
const EXPECTED = draftTokens(PROMPT).join('');

let stack: Stack | undefined;
const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
  await stack?.stop();
  stack = undefined;
});

const outputOf = (events: StreamEvent[]) => events.flatMap((event) => (event.event === 'output' ? [event.data] : []));

describe('client.events(id)', () => {
  it('yields every event once, in order, reconnecting by itself across cut connections', async () => {
    stack = await startTestStack({ env: { DEMO_TASK_MS: '4000' } });
    const proxy = await startTcpProxy(stack.url);
    closers.push(() => proxy.stop());
    const client = createClient({ baseUrl: proxy.url, retry: { baseMs: 10, maxMs: 50 } });
    const { request_id: id } = await client.submit({ prompt: PROMPT, task: 'draft' });

    const events: StreamEvent[] = [];
    let cuts = 0;
    for await (const event of client.events(id)) {
      events.push(event);
      // Every third output event, the connection is reset under the client.
      if (event.event === 'output' && outputOf(events).length % 3 === 0 && cuts < 5) {
        cuts += 1;
        proxy.cut();
        proxy.restore();
      }
    }

    expect(cuts).toBe(5);
    const output = outputOf(events);
    expect(output.map((chunk) => chunk.text).join('')).toBe(EXPECTED);
    expect(output.map((chunk) => chunk.seq)).toEqual(output.map((_, index) => index + 1));
    const end = events.at(-1)!;
    expect(end.event).toBe('end');
    expect(end.event === 'end' && end.data).toMatchObject({ status: 'complete', result: { text: EXPECTED } });
    expect(new Set(events.map((event) => event.id)).size).toBe(events.length);
  });

  it('resumes from a kept event id, as after a page reload', async () => {
    stack = await startTestStack({ env: { DEMO_TASK_MS: '300' } });
    const client = createClient({ baseUrl: stack.url });
    const { request_id: id } = await client.submit({ prompt: PROMPT, task: 'draft' });
    const first: StreamEvent[] = [];
    for await (const event of client.events(id)) {
      first.push(event);
      if (outputOf(first).length === 4) break;
    }

    const rest: StreamEvent[] = [];
    for await (const event of client.events(id, { after: first.at(-1)!.id })) rest.push(event);

    expect([...outputOf(first), ...outputOf(rest)].map((chunk) => chunk.text).join('')).toBe(EXPECTED);
    expect(rest.at(-1)!.event).toBe('end');
  });
});
