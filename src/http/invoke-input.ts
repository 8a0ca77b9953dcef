import { CallbackRefusedError, parseCallbackUrl, type CallbackPolicy } from '../callbacks/callback-url.js';
import type { TaskRegistry } from '../tasks/registry.js';
import type { RequestInput } from '../requests/model.js';
import type { ApiRequest } from './api-request.js';
import { HttpError, invalidField } from './http-error.js';

/** Bodies above this are refused with 413; generous for a prompt, far below DynamoDB's 400 KB item. */
export const MAX_BODY_BYTES = 128 * 1024;
export const MAX_PROMPT_CHARS = 100_000;
const SESSION_ID = /^[A-Za-z0-9._:-]{1,128}$/;
const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,255}$/;
const KNOWN_FIELDS = new Set(['prompt', 'session_id', 'task', 'callback_url']);
/** `application/json` or a `+json` type, with any parameters (`; charset=utf-8`). */
const JSON_MEDIA_TYPE = /^application\/(?:[\w.-]+\+)?json\s*(?:;.*)?$/i;
/** JSON is UTF-8 (RFC 8259): any other charset declared is refused. */
const CHARSET = /;\s*charset\s*=\s*"?([^";\s]+)"?/i;
const BYTE_ORDER_MARK = '\uFEFF';
const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

export interface InvokeInput {
  task: string;
  input: RequestInput;
  idempotencyKey: string | undefined;
  /** The webhook's URL, its form checked; where it resolves to is checked by the route. */
  callbackUrl: URL | undefined;
}

/** Whether this deployment sends webhooks (it has a secret to sign them), and where to. */
export interface CallbackRules {
  enabled: boolean;
  policy: CallbackPolicy;
}

function bodyText(request: Pick<ApiRequest, 'body' | 'isBase64Encoded'>): string {
  const raw = request.body ?? '';
  const bytes = request.isBase64Encoded ? Buffer.from(raw, 'base64') : Buffer.from(raw, 'utf8');
  if (bytes.length > MAX_BODY_BYTES) {
    throw new HttpError(413, 'payload_too_large', `body: ${bytes.length} bytes is more than the ${MAX_BODY_BYTES} bytes allowed`, {
      field: 'body',
    });
  }
  let text: string;
  try {
    text = utf8.decode(bytes);
  } catch {
    throw invalidField('body', 'is not valid UTF-8');
  }
  // RFC 8259 lets a parser ignore a byte order mark; JSON.parse does not.
  return text.startsWith(BYTE_ORDER_MARK) ? text.slice(1) : text;
}

/**
 * A body declared as something other than JSON is refused rather than guessed at; no declared type
 * is taken as JSON, as many clients send none. (A form or text/plain body is also what a
 * cross-site page can post without a CORS preflight.)
 */
function checkContentType(request: Pick<ApiRequest, 'contentTypes'>): void {
  // Sent twice, the gateway and this function could each read another one.
  if (request.contentTypes.length > 1) throw invalidField('Content-Type', 'must be sent once');
  const contentType = request.contentTypes[0]?.trim();
  if (contentType === undefined) return;
  const charset = CHARSET.exec(contentType)?.[1]?.toLowerCase();
  if (JSON_MEDIA_TYPE.test(contentType) && (charset === undefined || charset === 'utf-8' || charset === 'utf8')) return;
  throw new HttpError(415, 'unsupported_media_type', `Content-Type: must be application/json (in UTF-8), got "${contentType.slice(0, 100)}"`, {
    field: 'Content-Type',
  });
}

/** Validates `POST /v1/invoke`; throws an {@link HttpError} naming the first bad field. */
export function parseInvokeInput(
  request: Pick<ApiRequest, 'body' | 'isBase64Encoded' | 'headers' | 'contentTypes'>,
  tasks: TaskRegistry,
  callbacks: CallbackRules,
): InvokeInput {
  const text = bodyText(request);
  checkContentType(request);
  if (text.trim() === '') throw invalidField('body', 'is empty; send a JSON object like {"prompt": "..."}');
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw invalidField('body', 'is not valid JSON');
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw invalidField('body', 'must be a JSON object like {"prompt": "..."}');
  }
  const fields = body as Record<string, unknown>;
  for (const key of Object.keys(fields)) {
    if (!KNOWN_FIELDS.has(key)) throw invalidField(key, 'is not a known field (expected prompt, session_id, task, callback_url)');
  }

  const { prompt, session_id: sessionId, task, callback_url: callbackText } = fields;
  if (prompt === undefined) throw invalidField('prompt', 'is required');
  if (typeof prompt !== 'string') throw invalidField('prompt', 'must be a string');
  if (prompt.trim() === '') throw invalidField('prompt', 'must not be empty');
  if (prompt.length > MAX_PROMPT_CHARS) throw invalidField('prompt', `must be at most ${MAX_PROMPT_CHARS} characters`);

  if (sessionId !== undefined && (typeof sessionId !== 'string' || !SESSION_ID.test(sessionId))) {
    throw invalidField('session_id', 'must be 1-128 characters of letters, digits, ".", "_", ":" or "-"');
  }
  if (task !== undefined && (typeof task !== 'string' || tasks.get(task) === undefined)) {
    throw invalidField('task', `must be one of: ${tasks.names().join(', ')}`);
  }

  let callbackUrl: URL | undefined;
  if (callbackText !== undefined) {
    if (typeof callbackText !== 'string') throw invalidField('callback_url', 'must be a string');
    if (!callbacks.enabled) throw invalidField('callback_url', 'is not accepted: this deployment has no WEBHOOK_SECRET to sign webhooks with');
    try {
      callbackUrl = parseCallbackUrl(callbackText, callbacks.policy);
    } catch (error) {
      if (error instanceof CallbackRefusedError) throw invalidField('callback_url', error.message);
      throw error;
    }
  }

  const idempotencyKey = request.headers['idempotency-key'];
  if (idempotencyKey !== undefined && !IDEMPOTENCY_KEY.test(idempotencyKey)) {
    throw invalidField('Idempotency-Key', 'must be 1-255 visible ASCII characters');
  }

  return {
    task: task ?? tasks.defaultTask,
    input: { prompt, ...(sessionId !== undefined ? { session_id: sessionId } : {}) },
    idempotencyKey,
    callbackUrl,
  };
}
