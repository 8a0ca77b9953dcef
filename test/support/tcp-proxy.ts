import { createServer, connect, type Socket } from 'node:net';

/**
 * A loopback TCP proxy whose link can be cut and restored, to make a server unreachable for real
 * (connections reset) and bring it back without losing its data.
 */
export async function startTcpProxy(
  /** Where to connect; a function when the target is known only after the proxy must exist. */
  targetUrl: string | (() => string),
  /** Called for each new client connection, before it is linked (a test's moment to cut something). */
  onConnect: () => void = () => {},
): Promise<{ url: string; cut(): void; restore(): void; stop(): Promise<void> }> {
  const sockets = new Set<Socket>();
  let linked = true;
  const server = createServer((client) => {
    onConnect();
    if (!linked) return void client.destroy();
    const target = new URL(typeof targetUrl === 'string' ? targetUrl : targetUrl());
    const upstream = connect(Number(target.port), target.hostname);
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      socket.on('error', () => {});
    }
    client.pipe(upstream).pipe(client);
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    cut() {
      linked = false;
      for (const socket of sockets) socket.destroy();
    },
    restore() {
      linked = true;
    },
    stop: () =>
      new Promise((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
