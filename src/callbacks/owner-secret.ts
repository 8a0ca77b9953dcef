import { createHmac } from 'node:crypto';

const STANDARD_WEBHOOKS_PREFIX = 'whsec_';
/** Binds the derived key to this use, so the same deployment secret could key other things without overlap. */
const PURPOSE = 'async-router webhook signing v1';

/**
 * The Standard Webhooks secret that signs the webhooks of one owner (an opaque id: today the API
 * key id, '' where the API has no keys): an HMAC-SHA256 of the owner under the deployment's
 * WEBHOOK_SECRET, so each owner verifies only its own webhooks, and one secret rotates them all.
 */
export function ownerWebhookSecret(deploymentSecret: string, owner: string): string {
  const key = Buffer.from(deploymentSecret.slice(STANDARD_WEBHOOKS_PREFIX.length), 'base64');
  return STANDARD_WEBHOOKS_PREFIX + createHmac('sha256', key).update(`${PURPOSE}\0${owner}`).digest('base64');
}

/** The owner id of a caller or a stored request by its API key id. */
export function webhookOwner(apiKeyId: string | undefined): string {
  return apiKeyId ?? '';
}
