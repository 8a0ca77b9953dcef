import { createHmac } from 'node:crypto';
import { ownerScope } from '../auth/principal.js';

const STANDARD_WEBHOOKS_PREFIX = 'whsec_';
/** Binds the derived key to this use, so the same deployment secret could key other things without overlap. */
const PURPOSE = 'async-router webhook signing v1';

/**
 * The Standard Webhooks secret that signs the webhooks of one owner (see auth/principal.ts;
 * undefined for the anonymous tenant): an HMAC-SHA256 of the owner's scope (an API key's id, as
 * before owners existed, so its receivers keep their secret) under the deployment's WEBHOOK_SECRET,
 * so each owner verifies only its own webhooks, and one secret rotates them all.
 */
export function ownerWebhookSecret(deploymentSecret: string, owner: string | undefined): string {
  const key = Buffer.from(deploymentSecret.slice(STANDARD_WEBHOOKS_PREFIX.length), 'base64');
  return STANDARD_WEBHOOKS_PREFIX + createHmac('sha256', key).update(`${PURPOSE}\0${ownerScope(owner)}`).digest('base64');
}
