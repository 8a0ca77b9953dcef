import type { APIGatewayProxyResult } from 'aws-lambda';
import type { Principal } from '../auth/principal.js';
import { ownerWebhookSecret } from '../callbacks/owner-secret.js';
import type { WebhookSecret } from '../contract.js';
import type { ApiDeps } from '../handler-deps.js';
import { HttpError } from './http-error.js';
import { json } from './responses.js';

/** `GET /v1/webhook-secret`: the secret that signs the caller's own webhooks, and nobody else's. */
export function webhookSecretRoute(deps: Pick<ApiDeps, 'config'>, caller: Principal): APIGatewayProxyResult {
  if (deps.config.webhookSecret === undefined) {
    throw new HttpError(404, 'webhooks_disabled', 'This deployment sends no webhooks: it has no WEBHOOK_SECRET.');
  }
  const answer: WebhookSecret = { secret: ownerWebhookSecret(deps.config.webhookSecret, caller.owner) };
  return json(200, answer, { 'Cache-Control': 'no-store' });
}
