import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The local deployment's secrets, each as Terraform provisions one per deployment: the variable
 * that gives it directly, the SSM parameter that holds it (terraform/secrets.tf's names for the
 * default deployment name), and the file that keeps it.
 */
export const SECRETS = {
  requestId: { env: 'REQUEST_ID_SECRET', parameter: '/async-router/request-id-secret', file: 'request-id-secret', make: () => randomBytes(32).toString('base64url') },
  /** Standard Webhooks' form: `whsec_` and the base64 of the key's bytes. */
  webhook: { env: 'WEBHOOK_SECRET', parameter: '/async-router/webhook-secret', file: 'webhook-secret', make: () => `whsec_${randomBytes(32).toString('base64')}` },
} as const;
export type Secret = (typeof SECRETS)[keyof typeof SECRETS];

/**
 * A local deployment's secret, kept in its data folder so it survives a restart (ids stay the
 * same, receivers keep verifying): read it, or create it (readable by this user only) on the first start. Two starts racing on a new folder
 * agree, because only the first exclusive create wins and both then read the file.
 */
export function loadOrCreateSecret(dataDir: string, secret: Secret): string {
  mkdirSync(dataDir, { recursive: true });
  const path = join(dataDir, secret.file);
  try {
    writeFileSync(path, `${secret.make()}\n`, { flag: 'wx', mode: 0o600 });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  return readFileSync(path, 'utf8').trim();
}
