import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const SECRET_FILE = 'request-id-secret';

/** A fresh random secret (256 bits), as Terraform provisions one per deployment. */
export function randomSecret(): string {
  return randomBytes(32).toString('base64url');
}

/**
 * The local deployment's secret, kept in its data folder so ids survive a restart: read it, or
 * create it (readable by this user only) on the first start. Two starts racing on a new folder
 * agree, because only the first exclusive create wins and both then read the file.
 */
export function loadOrCreateSecret(dataDir: string): string {
  mkdirSync(dataDir, { recursive: true });
  const path = join(dataDir, SECRET_FILE);
  try {
    writeFileSync(path, `${randomSecret()}\n`, { flag: 'wx', mode: 0o600 });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  return readFileSync(path, 'utf8').trim();
}
