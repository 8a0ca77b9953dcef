import { createHmac } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { describe, expect, it } from 'vitest';
import { ownerWebhookSecret } from '../../src/callbacks/owner-secret.js';

const DEPLOYMENT = `whsec_${Buffer.alloc(32, 1).toString('base64')}`;
const ROTATED = `whsec_${Buffer.alloc(32, 2).toString('base64')}`;

describe('ownerWebhookSecret', () => {
  it('gives each owner its own Standard Webhooks secret, the same on every call', () => {
    const a = ownerWebhookSecret(DEPLOYMENT, 'key-a');
    expect(a).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(ownerWebhookSecret(DEPLOYMENT, 'key-a')).toBe(a);
    expect(new Set([a, ownerWebhookSecret(DEPLOYMENT, 'key-b'), ownerWebhookSecret(DEPLOYMENT, ''), DEPLOYMENT]).size).toBe(4);
  });

  it("makes a signature one owner's secret verifies fail under another's", () => {
    const at = new Date();
    const payload = '{"type":"request.error"}';
    const signature = new Webhook(ownerWebhookSecret(DEPLOYMENT, 'key-a')).sign('msg_1', at, payload);
    const headers = { 'webhook-id': 'msg_1', 'webhook-timestamp': String(Math.floor(at.getTime() / 1000)), 'webhook-signature': signature };
    expect(() => new Webhook(ownerWebhookSecret(DEPLOYMENT, 'key-a')).verify(payload, headers)).not.toThrow();
    expect(() => new Webhook(ownerWebhookSecret(DEPLOYMENT, 'key-b')).verify(payload, headers)).toThrow();
  });

  it("changes every owner's secret when the deployment secret rotates", () => {
    expect(ownerWebhookSecret(ROTATED, 'key-a')).not.toBe(ownerWebhookSecret(DEPLOYMENT, 'key-a'));
  });

  it("keeps an API key's secret and the anonymous tenant's as they were before owners; a user's is their own", () => {
    const beforeOwners = (scope: string) => `whsec_${createHmac('sha256', Buffer.alloc(32, 1)).update(`async-router webhook signing v1\0${scope}`).digest('base64')}`;

    expect(ownerWebhookSecret(DEPLOYMENT, 'key:key-a')).toBe(beforeOwners('key-a'));
    expect(ownerWebhookSecret(DEPLOYMENT, undefined)).toBe(beforeOwners(''));
    expect(new Set([ownerWebhookSecret(DEPLOYMENT, 'user:https://idp.example.com#alice'), ownerWebhookSecret(DEPLOYMENT, 'user:https://idp.example.com#bob'), beforeOwners('alice')]).size).toBe(3);
  });
});
