import { describe, expect, it } from 'vitest';
import { HttpError } from '../../src/http/http-error.js';
import { MAX_BODY_BYTES, MAX_PROMPT_CHARS, parseInvokeInput } from '../../src/http/invoke-input.js';
import { createDefaultTasks } from '../../src/tasks/index.js';

const tasks = createDefaultTasks({ demoTaskMs: 0, demoReportMb: 1 });
/** What the routes get from a front (see api-request.ts): header names lower-cased. */
function request(body: string | null, headers: Record<string, string> = {}, isBase64Encoded = false) {
  const lower = Object.fromEntries(Object.entries(headers).map(([name, value]) => [name.toLowerCase(), value]));
  return { body, isBase64Encoded, headers: lower, contentTypes: lower['content-type'] !== undefined ? [lower['content-type']] : [] };
}
const NO_CALLBACKS = { enabled: false, policy: { allowedHosts: [], allowLoopback: false } };
const parse = (body: string | null, headers: Record<string, string> = {}, isBase64Encoded = false) =>
  parseInvokeInput(request(body, headers, isBase64Encoded), tasks, NO_CALLBACKS);

function rejection(run: () => unknown): HttpError {
  try {
    run();
  } catch (error) {
    if (error instanceof HttpError) return error;
    throw error;
  }
  throw new Error('expected an HttpError');
}

describe('parseInvokeInput', () => {
  it('accepts a prompt, defaults the task, and keeps the session id', () => {
    expect(parse(JSON.stringify({ prompt: 'hi', session_id: 's-1' }))).toEqual({
      task: 'assess',
      input: { prompt: 'hi', session_id: 's-1' },
      idempotencyKey: undefined,
      callbackUrl: undefined,
    });
  });

  it('reads a base64 body and the Idempotency-Key header whatever its case', () => {
    const body = Buffer.from(JSON.stringify({ prompt: 'hi', task: 'summarize' })).toString('base64');
    expect(parse(body, { 'IDEMPOTENCY-KEY': 'order-42' }, true)).toMatchObject({ task: 'summarize', idempotencyKey: 'order-42' });
  });

  it.each([
    [null, 'body', 400, /is empty/],
    ['{"prompt":', 'body', 400, /not valid JSON/],
    ['[1]', 'body', 400, /must be a JSON object/],
    ['{}', 'prompt', 400, /is required/],
    ['{"prompt":42}', 'prompt', 400, /must be a string/],
    ['{"prompt":"   "}', 'prompt', 400, /must not be empty/],
    [JSON.stringify({ prompt: 'x'.repeat(MAX_PROMPT_CHARS + 1) }), 'prompt', 400, /at most 100000 characters/],
    ['{"prompt":"x","session_id":"has space"}', 'session_id', 400, /1-128 characters/],
    ['{"prompt":"x","task":"nope"}', 'task', 400, /must be one of: assess, summarize/],
    ['{"prompt":"x","promt":"typo"}', 'promt', 400, /not a known field/],
    [JSON.stringify({ prompt: 'x'.repeat(MAX_BODY_BYTES) }), 'body', 413, /bytes is more than/],
  ])('refuses %s with the field %s', (body, field, statusCode, message) => {
    const error = rejection(() => parse(body as string | null));
    expect(error).toMatchObject({ statusCode, expose: true, details: { field } });
    expect(error.message).toMatch(message);
  });

  it('refuses an Idempotency-Key with control characters', () => {
    expect(rejection(() => parse('{"prompt":"x"}', { 'Idempotency-Key': 'a\tb' })).details.field).toBe('Idempotency-Key');
  });

  it('refuses bytes that are not UTF-8, and a charset other than UTF-8', () => {
    const latin1 = Buffer.from('{"prompt":"caf\xe9"}', 'latin1').toString('base64');
    expect(rejection(() => parse(latin1, {}, true))).toMatchObject({ statusCode: 400, details: { field: 'body' }, message: 'body: is not valid UTF-8' });
    expect(rejection(() => parse('{"prompt":"x"}', { 'Content-Type': 'application/json; charset=utf-16' }))).toMatchObject({ statusCode: 415 });
    expect(parse('{"prompt":"x"}', { 'Content-Type': 'application/json; charset="UTF-8"' }).input.prompt).toBe('x');
  });

  it('reads a body that starts with a byte order mark', () => {
    expect(parse('\uFEFF{"prompt":"with a BOM"}').input.prompt).toBe('with a BOM');
  });

  it('refuses a Content-Type sent twice, whichever comes first', () => {
    const twice = (values: string[]) => rejection(() => parseInvokeInput({ ...request('{"prompt":"x"}'), contentTypes: values }, tasks, NO_CALLBACKS));
    expect(twice(['text/plain', 'application/json'])).toMatchObject({ statusCode: 400, details: { field: 'Content-Type' } });
    expect(twice(['application/json', 'text/plain'])).toMatchObject({ statusCode: 400, details: { field: 'Content-Type' } });
  });
});
