import { randomUUID } from 'node:crypto';
import { HttpError, NetworkError, RequestFailedError, TimeoutError, createClient, isTerminal, type Client, type FetchLike, type RequestView } from '../client/index.js';
import { anySignal } from '../client/signals.js';
import { INVOKE_PATH, ROUTES, statusPath, type RequestStatus } from '../contract.js';
import { checkList } from './list-check.js';

/** One check's outcome: `PASS name`, or `FAIL name: reason`. */
export interface CheckResult {
  name: string;
  ok: boolean;
  /** Why it failed; null when it passed. */
  reason: string | null;
}

export interface CheckOptions {
  /** The stage URL (Terraform's `api_base_url`), or the local stack's. */
  url: string;
  apiKey: string | undefined;
  /** A signed-in user's token, sent as `Authorization: Bearer`. */
  token?: string | undefined;
  /** How long the long-poll check waits for the request to complete. */
  timeoutMs: number;
  /** The `Origin` every call sends, as a page on that origin would; CORS answers are checked for it. */
  origin: string;
  /** Ctrl-C: the checks stop, and {@link runChecks} rejects with the signal's reason. */
  signal: AbortSignal;
  /** Told each result as soon as it is known. */
  onResult?: (result: CheckResult) => void;
  fetch?: FetchLike;
}

/** The checks, in the order they run. */
export const CHECK_NAMES = ['preflight', 'submit', 'long-poll', 'cancel', 'unknown-id', 'wrong-method', 'list', 'cors'] as const;
export type CheckName = (typeof CHECK_NAMES)[number];

/** What a page at `https://example.com` would be; deployments that allow only some origins need `--origin`. */
export const DEFAULT_CHECK_ORIGIN = 'https://example.com';
export const DEFAULT_CHECK_TIMEOUT_SECONDS = 60;
/** A raw call that gets no answer in this long fails its check (API Gateway itself cuts at 29 s). */
const CALL_TIMEOUT_MS = 30_000;
/** Fresh requests cancelled before one is still running when its DELETE arrives. */
const CANCEL_TRIES = 3;
const PROMPT = 'Post-deploy check. This short prompt is assessed once and then discarded.';
/** How reasons name the unknown-id call. */
const RANDOM_STATUS_PATH = ROUTES.status.resource.replace('{request_id}', '<random id>');
/** Marks the check's requests in the table and the logs. */
const SESSION_ID = 'async-router-check';

/** One answer the checks received, headers and body, for the checks that look at every answer. */
interface Answer {
  method: string;
  url: string;
  status: number;
  headers: Headers;
  body: unknown;
}

class CheckFailed extends Error {}
function fail(reason: string): never {
  throw new CheckFailed(reason);
}

function parseBody(text: string): unknown {
  try {
    return text === '' ? undefined : JSON.parse(text);
  } catch {
    return text;
  }
}

/** `GET /v1/status/…`, for reasons: the method and the path below the stage URL, without the query. */
function callName(answer: Pick<Answer, 'method' | 'url'>, base: string): string {
  const path = answer.url.startsWith(base) ? answer.url.slice(base.length) : answer.url;
  return `${answer.method} ${path.replace(/\?.*$/, '')}`;
}

/** The comma-separated tokens of a header, lower-cased; `*` stands for any. */
function tokens(value: string | null): string[] {
  return (value ?? '')
    .split(',')
    .map((token) => token.trim().toLowerCase())
    .filter((token) => token !== '');
}

function lists(value: string | null, wanted: string): boolean {
  const listed = tokens(value);
  return listed.includes('*') || listed.includes(wanted.toLowerCase());
}

/** Why a call failed, in a sentence: the API's status and sentence, or the network's error. */
function describe(error: unknown): string {
  if (error instanceof RequestFailedError) return `the request ended as error (${error.error_code}): ${error.message}`;
  if (error instanceof HttpError || error instanceof NetworkError) return error.message;
  return error instanceof Error ? error.message : String(error);
}

function shortView(view: RequestView | undefined): string {
  if (view === undefined) return 'none seen';
  const progress = view.progress !== undefined && !isTerminal(view.status) ? ` ${Math.round(view.progress.percent)}% ${view.progress.message}` : '';
  return `${view.status}${progress}`;
}

/** What the checks share: the calls they make (each answer kept), and the request the submit made for the long-poll. */
interface CheckSession {
  options: CheckOptions;
  base: string;
  signal: AbortSignal;
  answers: Answer[];
  /** Calls tried once (a check reports what the API answers), and calls that ride out passing failures. */
  once: Client;
  client: Client;
  raw(method: string, path: string, init?: { headers?: Record<string, string>; body?: string; withKey?: boolean }): Promise<Answer>;
  /** The answer to the last call `method` made (the client's calls are recorded too). */
  lastAnswer(method: string): Answer | undefined;
  submitted?: { requestId: string };
  submitFailure?: string;
}

/** The session's clients and raw calls: every call carries `Origin`, and every answer is kept. */
function createSession(options: CheckOptions): CheckSession {
  const base = options.url.replace(/\/+$/, '');
  const { signal } = options;
  const answers: Answer[] = [];
  const baseFetch: FetchLike = options.fetch ?? ((input, init) => globalThis.fetch(input, init));

  /** fetch with the check's `Origin`, keeping a copy of each answer. */
  const recordingFetch: FetchLike = async (input, init) => {
    const headers = new Headers(init.headers);
    headers.set('Origin', options.origin);
    const response = await baseFetch(input, { ...init, headers });
    const body = parseBody(await response.clone().text());
    answers.push({ method: (init.method ?? 'GET').toUpperCase(), url: input, status: response.status, headers: response.headers, body });
    return response;
  };

  const apiKey = { ...(options.apiKey !== undefined ? { apiKey: options.apiKey } : {}), ...(options.token !== undefined ? { token: options.token } : {}) };
  // A check reports what the API answers: a submit is tried once (the client would retry a 503).
  const once = createClient({ baseUrl: base, fetch: recordingFetch, retry: { maxAttempts: 1 }, ...apiKey });
  // Waiting rides out passing failures as a real caller's wait does.
  const client = createClient({ baseUrl: base, fetch: recordingFetch, ...apiKey });

  /** One raw call, with the API key unless `withKey` is false (a browser's preflight has none). */
  async function raw(method: string, path: string, init: { headers?: Record<string, string>; body?: string; withKey?: boolean } = {}): Promise<Answer> {
    const headers: Record<string, string> = { ...init.headers };
    if (options.apiKey !== undefined && init.withKey !== false) headers['x-api-key'] = options.apiKey;
    if (options.token !== undefined && init.withKey !== false) headers.Authorization = `Bearer ${options.token}`;
    const timeout = AbortSignal.timeout(CALL_TIMEOUT_MS);
    const linked = anySignal([signal, timeout]);
    const before = answers.length;
    try {
      await recordingFetch(`${base}${path}`, { method, headers, signal: linked.signal, ...(init.body !== undefined ? { body: init.body } : {}) });
    } catch (error) {
      if (signal.aborted) throw signal.reason;
      throw new NetworkError(method, `${base}${path}`, timeout.aborted ? new Error(`no answer within ${CALL_TIMEOUT_MS / 1000} s`) : error);
    } finally {
      linked.dispose();
    }
    return answers[before]!;
  }

  return { options, base, signal, answers, once, client, raw, lastAnswer: (method) => answers.findLast((answer) => answer.method === method) };
}

/** A browser's preflight for the POST the client makes: no key, the headers it will send. */
async function checkPreflight(s: CheckSession): Promise<void> {
  const { options, raw } = s;
  const requested = ['content-type', 'idempotency-key', ...(options.apiKey !== undefined ? ['x-api-key'] : []), ...(options.token !== undefined ? ['authorization'] : [])];
  const answer = await raw('OPTIONS', INVOKE_PATH, {
    withKey: false,
    headers: { 'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Headers': requested.join(',') },
  });
  // The function answers 204; a function URL answers preflights itself, and a browser takes any 2xx.
  if (answer.status < 200 || answer.status > 299) fail(`OPTIONS ${INVOKE_PATH} answered ${answer.status}, expected 2xx${bodySentence(answer)}`);
  const methods = answer.headers.get('Access-Control-Allow-Methods');
  if (!lists(methods, 'POST')) fail(`Access-Control-Allow-Methods ${quoted(methods)} does not include POST`);
  const allowed = answer.headers.get('Access-Control-Allow-Headers');
  const missing = ['Idempotency-Key', 'Content-Type', ...(options.apiKey !== undefined ? ['X-Api-Key'] : []), ...(options.token !== undefined ? ['Authorization'] : [])].filter((name) => !lists(allowed, name));
  if (missing.length > 0) fail(`Access-Control-Allow-Headers ${quoted(allowed)} does not include ${missing.join(', ')}`);
}

async function checkSubmit(s: CheckSession): Promise<void> {
  const { signal, once, lastAnswer } = s;
  try {
    const accepted = await once.submit({ prompt: PROMPT, task: 'assess', session_id: SESSION_ID }, { signal });
    if (typeof accepted?.request_id !== 'string' || accepted.request_id === '') fail(`POST ${INVOKE_PATH} answered without a request_id`);
    s.submitted = { requestId: accepted.request_id };
  } catch (error) {
    if (!(error instanceof CheckFailed)) s.submitFailure = describe(error);
    throw error;
  }
  const answer = lastAnswer('POST')!;
  const body = answer.body as { status_url?: unknown };
  if (answer.status !== 202) fail(`POST ${INVOKE_PATH} answered ${answer.status}, expected 202`);
  const location = answer.headers.get('Location');
  if (location === null) fail('the 202 has no Location header');
  if (location !== body.status_url) fail(`Location ${quoted(location)} is not the status_url ${quoted(body.status_url)}`);
  const retryAfter = answer.headers.get('Retry-After');
  if (retryAfter === null) fail('the 202 has no Retry-After header');
  if (!/^\d+$/.test(retryAfter.trim())) fail(`Retry-After ${quoted(retryAfter)} is not a number of seconds`);
}

async function checkLongPoll(s: CheckSession): Promise<void> {
  const { options, signal, client, answers } = s;
  if (s.submitted === undefined) fail(`no request to poll: the submit failed${s.submitFailure !== undefined ? ` (${s.submitFailure})` : ''}`);
  const { requestId } = s.submitted;
  const seenFrom = answers.length;
  let last: RequestView | undefined;
  try {
    // A plain read at once, while the request is surely not done, then the long-poll to the end.
    last = await client.get(requestId, { signal });
    if (last.status !== 'complete') {
      last = await client.wait(requestId, { signal, timeoutMs: options.timeoutMs, onProgress: (view) => (last = view) });
    }
  } catch (error) {
    if (error instanceof TimeoutError) {
      fail(`not complete within ${options.timeoutMs / 1000} s (last status: ${shortView(error.lastView ?? last)}); pass --timeout to wait longer`);
    }
    fail(describe(error));
  }
  if (last?.status !== 'complete' || last.result === undefined) fail(`the request read as ${shortView(last)}, without a result`);
  const statusAnswers = answers.slice(seenFrom).filter((answer) => answer.method === 'GET' && answer.status === 200);
  const running = statusAnswers.filter((answer) => !isTerminal((answer.body as { status: RequestStatus }).status));
  if (running.length === 0) fail('the request was complete at its first status answer, so Retry-After on a non-terminal answer could not be checked');
  const without = running.find((answer) => !/^\d+$/.test(answer.headers.get('Retry-After')?.trim() ?? ''));
  if (without !== undefined) {
    fail(`a ${(without.body as { status: string }).status} status answer has Retry-After ${quoted(without.headers.get('Retry-After'))}, expected a number of seconds`);
  }
}

async function checkCancel(s: CheckSession): Promise<void> {
  const { signal, once, lastAnswer } = s;
  let finishedFirst = 0;
  for (let attempt = 1; attempt <= CANCEL_TRIES; attempt += 1) {
    let requestId: string;
    try {
      requestId = (await once.submit({ prompt: PROMPT, task: 'assess', session_id: SESSION_ID }, { signal })).request_id;
    } catch (error) {
      return fail(`could not submit a request to cancel: ${describe(error)}`);
    }
    let view: RequestView;
    try {
      view = await once.cancel(requestId, { signal });
    } catch (error) {
      // 409: it finished before the DELETE arrived; a fresh request may still be running.
      if (error instanceof HttpError && error.status === 409) {
        finishedFirst += 1;
        continue;
      }
      return fail(describe(error));
    }
    const answer = lastAnswer('DELETE')!;
    if (answer.status !== 202) fail(`DELETE answered ${answer.status}, expected 202`);
    if (view.status !== 'error' || view.error_code !== 'cancelled') fail(`DELETE answered a view that is ${view.status}${view.error_code !== undefined ? ` (${view.error_code})` : ''}, expected error (cancelled)`);
    const reread = await once.get(requestId, { signal }).catch((error: unknown) => fail(`reading the cancelled request: ${describe(error)}`));
    if (reread.status !== 'error' || reread.error_code !== 'cancelled') fail(`after DELETE the request reads as ${shortView(reread)}, expected error (cancelled)`);
    return;
  }
  fail(`DELETE answered 409 (already finished) for each of ${finishedFirst} fresh requests: they end before a cancel can reach them`);
}

async function checkUnknownId(s: CheckSession): Promise<void> {
  const { signal, once, lastAnswer } = s;
  const id = randomUUID();
  try {
    const view = await once.get(id, { signal });
    fail(`GET ${RANDOM_STATUS_PATH} answered 200 (${shortView(view)}), expected 404`);
  } catch (error) {
    if (error instanceof CheckFailed) throw error;
    if (!(error instanceof HttpError)) fail(describe(error));
    const { status, code } = error as HttpError;
    if (status !== 404) fail(`GET ${RANDOM_STATUS_PATH} answered ${status}, expected 404${bodySentence(lastAnswer('GET'))}`);
    if (code !== 'not_found') fail(`the 404 has error_code ${quoted(code ?? null)}, expected "not_found"`);
  }
}

async function checkWrongMethod(s: CheckSession): Promise<void> {
  const { raw } = s;
  const answer = await raw('PUT', INVOKE_PATH, { headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ prompt: PROMPT }) });
  if (answer.status !== 405) fail(`PUT ${INVOKE_PATH} answered ${answer.status}, expected 405${bodySentence(answer)}`);
  const allow = answer.headers.get('Allow');
  if (allow === null) fail('the 405 has no Allow header');
  if (!lists(allow, 'POST')) fail(`the 405's Allow ${quoted(allow)} does not include POST`);
}

/** Every answer so far, errors and the preflight included, as a page on `origin` reads them. */
async function checkCors(s: CheckSession): Promise<void> {
  const { options, answers, raw, base } = s;
  if (answers.length === 0) await raw('GET', statusPath(randomUUID()));
  for (const answer of answers) {
    const allowOrigin = answer.headers.get('Access-Control-Allow-Origin');
    if (allowOrigin === null) {
      fail(`the ${answer.status} answer to ${callName(answer, base)} has no Access-Control-Allow-Origin (Origin sent: ${options.origin}; use --origin with one the deployment allows)`);
    }
    if (allowOrigin !== '*' && allowOrigin !== options.origin) {
      fail(`the ${answer.status} answer to ${callName(answer, base)} has Access-Control-Allow-Origin ${quoted(allowOrigin)}, not * or ${options.origin}`);
    }
    if (answer.method === 'OPTIONS') continue;
    const exposed = answer.headers.get('Access-Control-Expose-Headers');
    const hidden = ['Location', 'Retry-After'].filter((name) => !lists(exposed, name));
    if (hidden.length > 0) fail(`the ${answer.status} answer to ${callName(answer, base)} does not expose ${hidden.join(' and ')} (Access-Control-Expose-Headers ${quoted(exposed)})`);
  }
}

/** Each check by name; they run in CHECK_NAMES order, and the long-poll polls what the submit made. */
const CHECKS: Record<CheckName, (session: CheckSession) => Promise<void>> = {
  preflight: checkPreflight,
  submit: checkSubmit,
  'long-poll': checkLongPoll,
  cancel: checkCancel,
  'unknown-id': checkUnknownId,
  'wrong-method': checkWrongMethod,
  list: (s) => checkList(s.client, s.submitted?.requestId, s.signal),
  cors: checkCors,
};

/**
 * The post-deploy check: drives the deployed API as a browser page and the client would, and
 * reports each behaviour the README promises as passed or failed with a reason. The calls go
 * through the typed client where it fits; the raw ones (headers, methods) through fetch. Every
 * call carries `Origin`, and every answer is kept so the CORS check can look at all of them.
 */
export async function runChecks(options: CheckOptions): Promise<CheckResult[]> {
  const session = createSession(options);
  const results: CheckResult[] = [];
  // Only a caller with an identity has requests of its own to list.
  for (const name of CHECK_NAMES.filter((check) => check !== 'list' || options.apiKey !== undefined || options.token !== undefined)) {
    const result = await runCheck(session, name);
    results.push(result);
    options.onResult?.(result);
  }
  return results;
}

/** One check, its failure turned into a reason (Ctrl-C rethrown). */
async function runCheck(session: CheckSession, name: CheckName): Promise<CheckResult> {
  const { options, signal } = session;
  try {
    await CHECKS[name](session);
    return { name, ok: true, reason: null };
  } catch (error) {
    if (signal.aborted) throw signal.reason;
    const reason = error instanceof CheckFailed ? error.message : describe(error);
    // API Gateway's answer to a call without the key a stage requires.
    const hint =
      name !== 'preflight' && options.apiKey === undefined && / answered 403\b/.test(reason)
        ? ' (if the API requires a key, pass --key)'
        : options.token === undefined && / answered 401\b/.test(reason)
          ? ' (if the API signs users in, pass --token)'
          : '';
    return { name, ok: false, reason: `${reason}${hint}` };
  }
}

function quoted(value: unknown): string {
  return value === null || value === undefined ? '(none)' : JSON.stringify(value);
}

/** `: <the API's sentence>` for a reason, when the answer has one. */
function bodySentence(answer: Answer | undefined): string {
  const body = answer?.body as { error?: unknown; message?: unknown } | string | undefined;
  if (typeof body === 'string' && body !== '') return `: ${body.slice(0, 200)}`;
  const sentence = typeof body === 'object' && body !== null ? (body.error ?? body.message) : undefined;
  return typeof sentence === 'string' ? `: ${sentence.slice(0, 200)}` : '';
}

/** `PASS name` or `FAIL name: reason`. */
export function formatCheck(result: CheckResult): string {
  return result.ok ? `PASS ${result.name}` : `FAIL ${result.name}: ${result.reason}`;
}
