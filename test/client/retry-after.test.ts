import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createClient, delay } from '../../src/client/index.js';
import { closedPortUrl } from '../support/ports.js';

const ID = '11111111-1111-4111-8111-111111111111';
const CREATED = '2026-01-01T00:00:00.000Z';
const complete = { request_id: ID, status: 'complete', task: 'summarize', created_at: CREATED, updated_at: CREATED, result: { summary: 'ok' } };
const processing = { request_id: ID, status: 'processing', task: 'summarize', created_at: CREATED, updated_at: CREATED };
const unavailable = { error: 'briefly unavailable', error_code: 'service_unavailable', reference: 'r-1' };

interface Scripted {
  status: number;
  headers: Record<string, string>;
  body: unknown;
}

/** A real HTTP server on an ephemeral port answering a script, one entry per request. */
describe('Retry-After', () => {
  let server: Server;
  let baseUrl: string;
  let script: Scripted[] = [];
  const arrivals: number[] = [];

  beforeAll(async () => {
    server = createServer((request, response) => {
      arrivals.push(Date.now());
      const next = script.shift() ?? { status: 500, headers: {}, body: { message: 'script exhausted' } };
      request.resume();
      response.writeHead(next.status, { 'Content-Type': 'application/json', ...next.headers }).end(JSON.stringify(next.body));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
  beforeEach(() => {
    arrivals.length = 0;
  });

  it('waits at least Retry-After after a 503, even when the back-off is shorter', async () => {
    script = [
      { status: 503, headers: { 'Retry-After': '1' }, body: unavailable },
      { status: 200, headers: {}, body: complete },
    ];
    const client = createClient({ baseUrl, retry: { baseMs: 10, maxMs: 20 } });

    const view = await client.wait(ID);

    expect(view.result).toEqual({ summary: 'ok' });
    expect(arrivals).toHaveLength(2);
    expect(arrivals[1]! - arrivals[0]!).toBeGreaterThanOrEqual(1000);
  });

  it('sleeps Retry-After between plain polls (waitSeconds 0)', async () => {
    script = [
      { status: 200, headers: { 'Retry-After': '1' }, body: processing },
      { status: 200, headers: {}, body: complete },
    ];
    const client = createClient({ baseUrl });

    await client.wait(ID, { waitSeconds: 0 });

    expect(arrivals[1]! - arrivals[0]!).toBeGreaterThanOrEqual(1000);
  });

  it('sleeps Retry-After when a long-poll comes back at once and unchanged (a server that does not hold)', async () => {
    script = [
      { status: 200, headers: { 'Retry-After': '1' }, body: processing },
      { status: 200, headers: { 'Retry-After': '1' }, body: processing },
      { status: 200, headers: {}, body: complete },
    ];
    const client = createClient({ baseUrl });

    await client.wait(ID, { waitSeconds: 4 });

    // The first answer is news (re-asked at once); the second is not, so the client sleeps.
    expect(arrivals[2]! - arrivals[1]!).toBeGreaterThanOrEqual(1000);
  });

  it('backs off on network errors and succeeds once the server answers', async () => {
    const deadUrl = await closedPortUrl();
    script = [{ status: 200, headers: {}, body: complete }];
    let attempts = 0;
    // The first two attempts hit a closed port (a real connection refusal), then the live server.
    const client = createClient({
      baseUrl,
      retry: { baseMs: 10, maxMs: 20 },
      fetch: (url, init) => fetch((attempts += 1) <= 2 ? url.replace(baseUrl, deadUrl) : url, init),
    });

    const view = await client.wait(ID);

    expect(view.status).toBe('complete');
    expect(attempts).toBe(3);
  });
});

describe('delay', () => {
  it('resolves after the time', async () => {
    const started = Date.now();
    await delay(50);
    expect(Date.now() - started).toBeGreaterThanOrEqual(45);
  });

  it('rejects with the signal’s reason when aborted', async () => {
    const controller = new AbortController();
    const reason = new Error('stop');
    setTimeout(() => controller.abort(reason), 10);
    await expect(delay(10_000, controller.signal)).rejects.toBe(reason);
  });
});
