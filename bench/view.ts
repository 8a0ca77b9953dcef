// The largest view a request can have (issue 18, property 5): every field at its longest, MAX_FILES
// at its ceiling, URLs signed with session credentials as long as STS makes them.
import { payloadOf } from '../src/callbacks/notify.js';
import { ConfigError, MAX_FILES_CEILING, loadConfig } from '../src/config.js';
import { CallbackStatus, RequestStatus } from '../src/contract.js';
import { MAX_PROGRESS_MESSAGE_CHARS } from '../src/requests/worker.js';
import { MAX_CONTENT_TYPE_CHARS } from '../src/requests/output.js';
import type { StoredRequest } from '../src/requests/model.js';
import { presentView } from '../src/requests/present.js';
import { FILE_NAME, fileKey } from '../src/storage/keys.js';
import { createS3ObjectStore } from '../src/storage/s3-object-store.js';
import { median } from './stats.js';

/** INLINE_RESULT_MAX_BYTES's ceiling in src/config.ts (checked below against loadConfig). */
const INLINE_RESULT_CEILING = 300_000;
/** RESULT_URL_SECONDS's ceiling: S3 presigned URLs last 7 days at most. */
const URL_SECONDS_CEILING = 7 * 86_400;
/** STS caps a session token at 4,096 bytes (since September 2026). */
const SESSION_TOKEN_BYTES = 4096;
const LONGEST_NAME_CHARS = 200;
const LONGEST_SESSION_ID_CHARS = 128;
const BASE64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

/** Base64 text of `length` characters, as an STS token has (`+` and `/` cost 3 bytes each in a URL). */
function base64Text(length: number): string {
  let seed = 1;
  return Array.from({ length }, () => BASE64[(seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) % 64]).join('');
}

/** A name of `length` characters that FILE_NAME accepts, distinct for each `index`. */
function longestName(index: number): string {
  const name = `${String(index).padStart(5, '0')}-${'n'.repeat(LONGEST_NAME_CHARS - 6)}`;
  if (!FILE_NAME.test(name)) throw new Error(`bench: ${name} is not a file name`);
  return name;
}

function checkCeilings(): void {
  const env = { REQUESTS_TABLE: 'bench', REQUEST_ID_SECRET: 'bench-secret-bench-secret-bench-secret' };
  loadConfig({ ...env, INLINE_RESULT_MAX_BYTES: String(INLINE_RESULT_CEILING), MAX_FILES: String(MAX_FILES_CEILING), RESULT_URL_SECONDS: String(URL_SECONDS_CEILING) });
  for (const [name, value] of [['INLINE_RESULT_MAX_BYTES', INLINE_RESULT_CEILING + 1], ['MAX_FILES', MAX_FILES_CEILING + 1]] as const) {
    try {
      loadConfig({ ...env, [name]: String(value) });
    } catch (error) {
      if (error instanceof ConfigError) continue;
      throw error;
    }
    throw new Error(`bench: ${name}=${value} is accepted: the worst case here is out of date`);
  }
}

/** A complete request with everything a view shows at its longest. */
function worstItem(nowMs: number): StoredRequest {
  const requestId = '0f0e0d0c-0b0a-4009-8807-060504030201';
  const escaped = '\u0001'; // six bytes in JSON
  return {
    request_id: requestId,
    status: RequestStatus.Complete,
    task: 'pipeline',
    input: { prompt: 'x', session_id: 's'.repeat(LONGEST_SESSION_ID_CHARS) },
    created_at: new Date(nowMs).toISOString(),
    updated_at: new Date(nowMs).toISOString(),
    expires_at: Math.floor(nowMs / 1000) + 2 * URL_SECONDS_CEILING,
    deadline_at: nowMs,
    attempt: 3,
    max_attempts: 3,
    lease_until: 0,
    progress: { percent: 100, message: escaped.repeat(MAX_PROGRESS_MESSAGE_CHARS) },
    step: { name: escaped.repeat(LONGEST_NAME_CHARS), index: 1000, count: 1000 },
    result: 'r'.repeat(INLINE_RESULT_CEILING - 2),
    artifacts: Array.from({ length: MAX_FILES_CEILING }, (_, index) => {
      const name = longestName(index);
      return { name, key: fileKey(requestId, 3, name), size: 5 * 1024 ** 4, content_type: 't'.repeat(MAX_CONTENT_TYPE_CHARS) };
    }),
    callback: { status: CallbackStatus.Failed, attempts: 30, last_status: 599 },
  } as StoredRequest;
}

export interface WorstView {
  files: number;
  tokenBytes: number;
  viewBytes: number;
  payloadBytes: number;
  /** The first build, loading the S3 SDK. */
  firstMs: number;
  warmMs: number[];
}

/** Builds the worst-case view `runs` times (after a first, cold one) with the very code the status route and webhooks use. */
export async function measureWorstView(runs: number): Promise<WorstView> {
  checkCeilings();
  const objects = createS3ObjectStore({
    bucket: 'async-router-results-123456789012-ap-southeast-2',
    clientConfig: {
      region: 'ap-southeast-2',
      credentials: { accessKeyId: 'ASIAEXAMPLEEXAMPLE01', secretAccessKey: base64Text(40), sessionToken: base64Text(SESSION_TOKEN_BYTES) },
    },
  });
  const nowMs = Date.now();
  const item = worstItem(nowMs);
  const build = async () => {
    const started = performance.now();
    const view = await presentView(item, objects, nowMs, URL_SECONDS_CEILING);
    return { view, ms: performance.now() - started };
  };
  const first = await build();
  const warmMs: number[] = [];
  for (let run = 0; run < runs; run += 1) warmMs.push((await build()).ms);
  const payload = await payloadOf({ objects, now: () => nowMs, config: { resultUrlSeconds: URL_SECONDS_CEILING } }, item);
  return {
    files: MAX_FILES_CEILING,
    tokenBytes: SESSION_TOKEN_BYTES,
    viewBytes: Buffer.byteLength(JSON.stringify(first.view)),
    payloadBytes: Buffer.byteLength(payload ?? ''),
    firstMs: first.ms,
    warmMs,
  };
}

const VIEW_LIMIT_BYTES = 1_000_000;
const BUILD_LIMIT_MS = 200;

/** The figure's row in BENCHMARKS.md's table. */
export function worstViewRow(result: WorstView): { figure: string; measured: string; target: string; met: boolean } {
  const p50 = median(result.warmMs);
  const largest = Math.max(result.viewBytes, result.payloadBytes);
  return {
    figure: 'largest view (and webhook)',
    measured:
      `${result.viewBytes} B view, ${result.payloadBytes} B webhook payload (${result.files} files = MAX_FILES ceiling, ` +
      `${result.tokenBytes} B session token, longest names); built in p50 ${p50.toFixed(1)} ms (max ${Math.max(...result.warmMs).toFixed(1)} ms ` +
      `of ${result.warmMs.length}; the first, loading the S3 SDK, ${result.firstMs.toFixed(1)} ms)`,
    target: `< ${VIEW_LIMIT_BYTES / 1_000_000} MB, built in < ${BUILD_LIMIT_MS} ms`,
    met: largest < VIEW_LIMIT_BYTES && p50 < BUILD_LIMIT_MS,
  };
}
