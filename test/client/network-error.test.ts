import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { ClientError, NetworkError, createClient } from '../../src/client/index.js';
import { closedPortUrl } from '../support/ports.js';

describe('client network failures', () => {
  it('throws a NetworkError naming the method, URL and system code, with the cause kept', async () => {
    const baseUrl = await closedPortUrl();
    const client = createClient({ baseUrl, retry: { maxAttempts: 2, baseMs: 10 } });

    const error = await client.get('00000000-0000-4000-8000-000000000000').catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(NetworkError);
    expect(error).toBeInstanceOf(ClientError);
    expect(error).toMatchObject({ method: 'GET', url: `${baseUrl}/v1/status/00000000-0000-4000-8000-000000000000`, code: 'ECONNREFUSED' });
    expect((error as NetworkError).cause).toBeInstanceOf(Error);
  });

  it('retries a dropped connection of an idempotent submit, then gives up with the NetworkError; without a key it does not retry', async () => {
    // A server that drops each connection as soon as the request arrives, counting them.
    let connections = 0;
    const server = createServer((socket) => {
      connections += 1;
      socket.once('data', () => socket.destroy());
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const baseUrl = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
    const client = createClient({ baseUrl, retry: { maxAttempts: 3, baseMs: 10 } });
    try {
      const keyed = await client.submit({ prompt: 'x' }, { idempotencyKey: 'net-1' }).catch((caught: unknown) => caught);
      const afterKeyed = connections;
      const unkeyed = await client.submit({ prompt: 'x' }).catch((caught: unknown) => caught);

      expect(keyed).toBeInstanceOf(NetworkError);
      expect(unkeyed).toBeInstanceOf(NetworkError);
      expect([afterKeyed, connections - afterKeyed]).toEqual([3, 1]);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
