import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { LookupFunction } from 'node:net';
import { Webhook } from 'standardwebhooks';
import { DeliveryFailure } from '../contract.js';
import type { Destination } from './destination.js';

/** How one delivery went: the receiver's status, or why there was none. */
export type DeliveryResult = { ok: true; status: number } | { ok: false; status: number | DeliveryFailure };

/** The Standard Webhooks headers for `payload`: the same `webhook-id` on every try of one event. */
export function signedHeaders(secret: string, webhookId: string, payload: string, at: Date): Record<string, string> {
  return {
    'webhook-id': webhookId,
    'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
    'webhook-signature': new Webhook(secret).sign(webhookId, at, payload),
  };
}

/**
 * POSTs the JSON `payload` to the destination, connecting only to its vetted address (the URL's
 * host still names the server, for TLS and virtual hosts). Redirects are not followed, the
 * answer's body is read and dropped, and the whole exchange gets `timeoutMs`.
 */
export function postWebhook(destination: Destination, payload: string, headers: Record<string, string>, timeoutMs: number): Promise<DeliveryResult> {
  const pinned: LookupFunction = (_host, options, callback) => {
    if (typeof options === 'object' && options?.all) callback(null, [{ address: destination.address, family: destination.family }]);
    else callback(null, destination.address, destination.family);
  };
  const send = destination.url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve) => {
    let settled = false;
    const done = (result: DeliveryResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(result);
    };
    const request = send(
      destination.url,
      {
        method: 'POST',
        lookup: pinned,
        agent: false,
        headers: { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(payload)), 'user-agent': 'async-router-webhooks', ...headers },
      },
      (response) => {
        const status = response.statusCode ?? 0;
        response.resume(); // the body is not kept
        response.on('end', () => done(status >= 200 && status < 300 ? { ok: true, status } : { ok: false, status }));
        response.on('error', () => done({ ok: false, status: DeliveryFailure.Network }));
      },
    );
    const timer = setTimeout(() => {
      done({ ok: false, status: DeliveryFailure.Timeout });
      request.destroy();
    }, timeoutMs);
    request.on('error', () => done({ ok: false, status: DeliveryFailure.Network }));
    request.end(payload);
  });
}
