import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { Webhook } from 'standardwebhooks';
import { WEBHOOK_SECRET_PATH } from '../../src/contract.js';
import { call } from './http.js';
import { validateWebhookBody } from './openapi.js';

/** How the receiver answers one delivery: a status, a silence past any timeout, or a cut connection. */
export type Behaviour = number | 'hang' | 'drop' | { redirect: string };

export interface Delivery {
  /** Path the delivery was posted to. */
  path: string;
  webhookId: string;
  /** Whether `standardwebhooks` verified the signature with the receiver's secret (its tenant's). */
  verified: boolean;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  body: any;
  receivedAt: number;
  answered: Behaviour;
  /** Why the body does not match openapi/v1.yaml's WebhookEvent, if it does not. */
  contractError: string | undefined;
}

export interface WebhookReceiver {
  url: string;
  deliveries: Delivery[];
  /** Answers for the next deliveries, in order; once used up, 200. */
  answers: Behaviour[];
  stop(): Promise<void>;
}

/**
 * A real HTTP receiver on loopback that verifies each delivery's Standard Webhooks signature with
 * the `standardwebhooks` library (not our own code), checks its body against the contract, and
 * answers as told.
 */
export async function startWebhookReceiver(secret: string): Promise<WebhookReceiver> {
  const verifier = new Webhook(secret);
  const sockets = new Set<Socket>();
  const receiver: Omit<WebhookReceiver, 'url' | 'stop'> = { deliveries: [], answers: [] };

  const server = createServer((request: IncomingMessage, response: ServerResponse) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      let verified = true;
      try {
        verifier.verify(text, request.headers as Record<string, string>);
      } catch {
        verified = false;
      }
      let body: unknown;
      let contractError: string | undefined;
      try {
        body = JSON.parse(text);
        validateWebhookBody(body);
      } catch (error) {
        contractError = (error as Error).message;
      }
      const answered = receiver.answers.shift() ?? 200;
      const webhookId = String(request.headers['webhook-id']);
      receiver.deliveries.push({ path: request.url ?? '', webhookId, verified, body, receivedAt: Date.now(), answered, contractError });
      if (answered === 'hang') return;
      if (answered === 'drop') return void request.socket.destroy();
      if (typeof answered === 'object') {
        response.writeHead(302, { Location: answered.redirect }).end();
        return;
      }
      // A body the service must not keep.
      response.writeHead(answered, { 'Content-Type': 'text/plain' }).end(`receiver says ${answered}: ${'x'.repeat(1000)}`);
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return Object.assign(receiver, {
    url: `http://127.0.0.1:${(server.address() as { port: number }).port}`,
    stop: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  });
}

/** The secret that signs the webhooks of a caller with no API key (the local stack's), from `GET /v1/webhook-secret`. */
export async function fetchWebhookSecret(baseUrl: string): Promise<string> {
  const response = await call(baseUrl, 'GET', WEBHOOK_SECRET_PATH);
  if (response.status !== 200) throw new Error(`GET ${WEBHOOK_SECRET_PATH} answered ${response.status}: ${response.text}`);
  return response.body.secret;
}
