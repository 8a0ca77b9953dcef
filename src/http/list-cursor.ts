import { createHmac, timingSafeEqual } from 'node:crypto';
import type { OwnerIndexKey } from '../requests/list-requests.js';
import { invalidField } from './http-error.js';

/** Binds the MAC to this use, so the request-id secret keys this without overlap with request ids. */
const PURPOSE = 'async-router list cursor v1';
/** Far above any cursor this API gives out (a key of three short strings and a MAC). */
const MAX_CURSOR_CHARS = 2048;

function mac(secret: string, owner: string, payload: string): Buffer {
  return createHmac('sha256', secret).update(`${PURPOSE}\0${owner}\0${payload}`).digest();
}

/** An opaque cursor: where the next page starts, MACed with the owner it was given to. */
export function encodeCursor(secret: string, owner: string, key: OwnerIndexKey): string {
  const payload = Buffer.from(JSON.stringify(key)).toString('base64url');
  return `${payload}.${mac(secret, owner, payload).toString('base64url')}`;
}

const refused = () => invalidField('cursor', 'is not a cursor this API gave the caller: pass next_cursor from your own last page unchanged, or none for the first page');

/** The start of the next page, from a cursor this API gave this owner; anything else (altered, made up, another caller's) is a 400 naming `cursor`. */
export function decodeCursor(secret: string, owner: string, cursor: string): OwnerIndexKey {
  const [payload, tag, ...rest] = cursor.split('.');
  if (cursor.length > MAX_CURSOR_CHARS || payload === undefined || tag === undefined || rest.length > 0) throw refused();
  const expected = mac(secret, owner, payload);
  const given = Buffer.from(tag, 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw refused();
  const key = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Partial<OwnerIndexKey>;
  // The MAC proves we made it; the shape check keeps a cursor of an older format from reaching DynamoDB.
  if (typeof key.request_id !== 'string' || typeof key.created_at !== 'string' || key.owner !== owner) throw refused();
  return { request_id: key.request_id, owner, created_at: key.created_at };
}
