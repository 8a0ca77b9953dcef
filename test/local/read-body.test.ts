import { createServer, request as httpRequest, type ClientRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { readBody, type ReadBodyOptions } from '../../src/local/read-body.js';

const LIMIT = 1024;

interface Read {
  body: Buffer | undefined;
  /** Whether the whole upload had arrived when the read answered. */
  uploadEnded: boolean;
}

/** A real server on loopback that reads each request's body with `readBody`, and a chunked upload to it that the test ends. */
async function startUpload(options: ReadBodyOptions): Promise<{ upload: ClientRequest; read: Promise<Read>; server: Server }> {
  let settle: (read: Read) => void = () => {};
  const read = new Promise<Read>((resolve) => (settle = resolve));
  const server = createServer((request, response) => {
    void readBody(request, LIMIT, options).then((body) => {
      settle({ body, uploadEnded: request.complete });
      response.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  // No Content-Length: Node sends it chunked, so only the bytes themselves tell the size.
  const upload = httpRequest({ hostname: '127.0.0.1', port: (server.address() as AddressInfo).port, method: 'POST', agent: false });
  upload.on('response', (response) => response.resume());
  upload.on('error', () => {}); // an early answer may close the connection under the upload
  return { upload, read, server };
}

/** Whether `promise` has settled within `ms`. */
async function settledWithin(promise: Promise<unknown>, ms: number): Promise<boolean> {
  const later = new Promise((resolve) => setTimeout(() => resolve('pending'), ms));
  return (await Promise.race([promise.then(() => 'settled'), later])) === 'settled';
}

describe('readBody', () => {
  let server: Server | undefined;
  afterEach(async () => {
    server?.closeAllConnections();
    await new Promise((resolve) => server?.close(resolve));
    server = undefined;
  });

  it.each(['at-once', 'at-end'] as const)('answers a body within the limit whole (%s)', async (whenOver) => {
    const started = await startUpload({ whenOver });
    server = started.server;

    started.upload.write('a'.repeat(LIMIT - 1));
    started.upload.end('b');
    const { body } = await started.read;

    expect(body?.toString()).toBe(`${'a'.repeat(LIMIT - 1)}b`);
  });

  it('at-once: answers undefined as soon as the limit is passed, while the upload goes on', async () => {
    const started = await startUpload({ whenOver: 'at-once' });
    server = started.server;

    started.upload.write('x'.repeat(LIMIT + 1));
    const read = await started.read;
    started.upload.end('more');

    expect(read).toEqual({ body: undefined, uploadEnded: false });
  });

  it('at-end: reads the whole upload through, then answers undefined', async () => {
    const started = await startUpload({ whenOver: 'at-end' });
    server = started.server;

    started.upload.write('x'.repeat(LIMIT + 1));
    const answeredEarly = await settledWithin(started.read, 200);
    started.upload.end('more');
    const read = await started.read;

    expect(answeredEarly).toBe(false);
    expect(read).toEqual({ body: undefined, uploadEnded: true });
  });
});
