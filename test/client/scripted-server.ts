import { afterAll, beforeAll, beforeEach } from 'vitest';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One scripted answer: a status, headers, and a JSON body. */
export interface Scripted {
  status: number;
  headers?: Record<string, string>;
  body: unknown;
}

/** A real HTTP server on an ephemeral loopback port answering `script` in order, keeping each request's URL and headers. */
export interface ScriptedServer {
  baseUrl: string;
  script: Scripted[];
  received: { url: string; headers: IncomingHttpHeaders }[];
  /** Empties the script and what was received, between tests. */
  reset(): void;
  stop(): Promise<void>;
}

const EXHAUSTED: Scripted = { status: 500, body: { error: 'script exhausted', error_code: 'internal' } };

export async function startScriptedServer(): Promise<ScriptedServer> {
  const scripted: Omit<ScriptedServer, 'baseUrl' | 'stop'> = {
    script: [],
    received: [],
    reset() {
      scripted.script.length = 0;
      scripted.received.length = 0;
    },
  };
  const server: Server = createServer((request, response) => {
    scripted.received.push({ url: request.url ?? '', headers: request.headers });
    const next = scripted.script.shift() ?? EXHAUSTED;
    request.resume();
    response.writeHead(next.status, { 'Content-Type': 'application/json', ...next.headers }).end(JSON.stringify(next.body));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    ...scripted,
    baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** A scripted server for one `describe`: started before its tests, emptied between them, stopped after. */
export function useScriptedServer(): { baseUrl(): string; script(...answers: Scripted[]): void; received(): ScriptedServer['received'] } {
  let server: ScriptedServer;
  beforeAll(async () => {
    server = await startScriptedServer();
  });
  afterAll(() => server.stop());
  beforeEach(() => server.reset());
  return {
    baseUrl: () => server.baseUrl,
    script: (...answers) => void server.script.push(...answers),
    received: () => server.received,
  };
}
