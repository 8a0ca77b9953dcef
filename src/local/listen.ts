import type { Server } from 'node:http';

/** Local servers bind loopback only: nothing here is meant to be reachable from the network. */
export const LOOPBACK = '127.0.0.1';

/** Starts `server` on `port` (0 for an ephemeral one) and answers its base URL. */
export function listen(server: Server, port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, LOOPBACK, () => {
      server.off('error', reject);
      const address = server.address();
      if (address === null || typeof address === 'string') return reject(new Error('server has no TCP address'));
      resolve(`http://${LOOPBACK}:${address.port}`);
    });
  });
}

/** Stops accepting connections, ends idle keep-alive ones, and waits for the server to close. */
export function close(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeIdleConnections?.();
  });
}

/** A local service could not start: its port is taken by another process. */
export class PortInUseError extends Error {
  override readonly name = 'PortInUseError';
  constructor(
    readonly service: string,
    readonly port: number,
  ) {
    super(`the local ${service} cannot listen on ${LOOPBACK}:${port}: the port is in use`);
  }
}

/** Starts a service, turning "address in use" into a {@link PortInUseError} that names it. */
export async function startOnPort<T>(service: string, port: number, start: () => Promise<T>): Promise<T> {
  try {
    return await start();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') throw new PortInUseError(service, port);
    throw error;
  }
}
