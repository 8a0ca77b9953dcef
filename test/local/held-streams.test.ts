import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { eventsPath } from '../../src/contract.js';
import { readEventStream } from '../../src/client/sse.js';
import type { Stack } from '../../src/local/stack.js';
import { submit, submitAccepted } from '../support/http.js';
import { ensureBuilt, startTestStack } from '../support/stack.js';

const PROMPT = 'Held event streams are calls like long-polls: they must not crowd out a submit.';
/** What `npm start` uses (src/local/main.ts). */
const LOCAL_LANES = { events: 8, sync: 4 };
const STREAMS = 200;

describe('held event streams on the sandbox runtime, as npm start runs it', () => {
  let stack: Stack | undefined;
  beforeAll(() => ensureBuilt());
  afterEach(async () => {
    await stack?.stop();
    stack = undefined;
  });

  it('200 open streams, and a submit still answers while they stay open', async () => {
    // One table read a second per stream: 200 a second in all, which two loaded cores keep up with.
    stack = await startTestStack({ runtime: 'sandbox', lanes: LOCAL_LANES, env: { LONG_POLL_INTERVAL_MS: '1000' } });
    const url = stack.url;
    // A request whose event is lost stays pending, so its streams are held until the client leaves.
    stack.lambda.faults.dropEvents = true;
    const pending = await submitAccepted(url, { prompt: PROMPT, task: 'draft' });

    const streams = new AbortController();
    let ended = 0;
    const firstEvents = Array.from({ length: STREAMS }, async () => {
      const response = await fetch(`${url}${eventsPath(pending)}`, { signal: streams.signal });
      const messages = readEventStream(response.body!);
      const first = await messages.next();
      // Read on until the test closes the stream; an `end` or a close before that is a failure.
      void (async () => {
        try {
          for await (const message of messages) if (message.event === 'end') ended += 1;
          ended += 1;
        } catch {
          // aborted by the test
        }
      })();
      return first.value;
    });
    try {
      const first = await Promise.all(firstEvents);
      expect(first.filter((message) => message?.event !== 'status'), JSON.stringify(first.filter((message) => message?.event !== 'status').slice(0, 3))).toHaveLength(0);
      stack.lambda.faults.dropEvents = false;

      const accepted = await submit(url, { prompt: PROMPT });

      expect(accepted.status).toBe(202);
      expect(ended).toBe(0);
      expect(stack.lambda.load().running).toBeGreaterThanOrEqual(STREAMS);
    } finally {
      streams.abort();
    }
  });
});
