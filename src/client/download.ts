import { abortReason } from '../delay.js';
import { RequestStatus, statusPath, type RequestView } from '../contract.js';
import { ClientError, HttpError, NetworkError, RequestFailedError } from './errors.js';
import { anySignal } from './signals.js';

/** Called as bytes arrive: what has come so far, and the whole size when it is known. */
export type DownloadProgress = (received: number, total: number | undefined) => void;

export interface DownloadOptions {
  signal?: AbortSignal;
  /** Called once per chunk as bytes arrive, and a last time with `received === total`. */
  onProgress?: DownloadProgress;
  /**
   * Write the bytes here as they arrive instead of collecting them, so a file of any size never
   * sits in memory: in Node `Writable.toWeb(createWriteStream(path))` (or any `WritableStream`),
   * in a browser a `FileSystemWritableFileStream`. It is closed once all bytes are written and
   * aborted when the download fails; the answer then has no `bytes`.
   */
  into?: WritableStream<Uint8Array>;
  /**
   * When a presigned URL is refused (`403`, typically "Request has expired"), read the request
   * again once (`GET /v1/status/{id}` signs fresh URLs) and retry with the fresh URL. Default `true`.
   */
  refresh?: boolean;
}

/** What was downloaded. */
export interface DownloadInfo {
  request_id: string;
  /** The artifact's name; `undefined` for the request's result. */
  name: string | undefined;
  /** The artifact's `content_type`; `application/json` for the result. */
  contentType: string;
  /** Bytes received: the artifact's `size`, the view's `result_size`, or the inline result's JSON length. */
  size: number;
  /** The view the bytes came by: the one given, or the one read again for fresh URLs. */
  view: RequestView;
}

/** A download held in memory. */
export interface Downloaded extends DownloadInfo {
  bytes: Uint8Array;
}

/** Why a download could not even start, or did not end whole. */
export type DownloadErrorCode = 'not_complete' | 'unknown_artifact' | 'no_result' | 'incomplete';

/** There is nothing (yet) to download under that name, or fewer bytes came than the view announced. */
export class DownloadError extends ClientError {
  override readonly name = 'DownloadError';

  constructor(
    readonly code: DownloadErrorCode,
    message: string,
    readonly request_id: string,
    /** The artifact names the request has (for `unknown_artifact`). */
    readonly available: readonly string[] = [],
  ) {
    super(message);
  }
}

/**
 * A presigned URL was refused with `403`: it has expired (or the credentials that signed it have).
 * Reading the request again gives fresh URLs; `download` does that once on its own unless
 * `refresh: false`.
 */
export class ExpiredUrlError extends HttpError {
  override readonly name: string = 'ExpiredUrlError';

  constructor(
    url: string,
    body: unknown,
    readonly request_id: string,
  ) {
    super('GET', url, 403, body);
    const said = typeof body === 'object' && body !== null && typeof (body as { error?: unknown }).error === 'string' ? (body as { error: string }).error : undefined;
    const what = said !== undefined && /expired/i.test(said) ? `the presigned URL has expired (${said})` : `the presigned URL was refused${said !== undefined ? ` (${said})` : ''}; it has probably expired`;
    this.message = `GET ${url} answered 403: ${what}. Read the request again (GET ${statusPath(request_id)}) for fresh URLs; every read signs new ones.`;
  }
}

/** What a download needs from the client around it. */
export interface DownloadDeps {
  fetch: (input: string, init: RequestInit) => Promise<Response>;
  /** `GET /v1/status/{id}` with the client's key and retries. */
  read(requestId: string, signal: AbortSignal | undefined): Promise<RequestView>;
  /** Repeats a call while it fails for a passing reason (429/5xx, network), as the client does. */
  retry<T>(call: () => Promise<T>, signal: AbortSignal | undefined): Promise<T>;
  /** How long a response may go without a byte before it counts as lost. */
  stallMs: number;
}

/** What one download reads: bytes at a presigned URL, or the inline result. */
type Source = { name: string | undefined; contentType: string } & ({ url: string; size: number | undefined } | { inline: Uint8Array });

const JSON_TYPE = 'application/json';

/** A presigned URL without its query (the signature): enough to say which object, nothing to replay. */
export function withoutQuery(url: string): string {
  const cut = url.search(/[?#]/);
  return cut === -1 ? url : url.slice(0, cut);
}

/** S3 answers errors as XML: `<Code>` and `<Message>` become `{error_code, error}`, as the API's own errors read. */
function parseStorageError(text: string): unknown {
  const code = /<Code>([^<]*)<\/Code>/.exec(text)?.[1];
  const message = /<Message>([^<]*)<\/Message>/.exec(text)?.[1];
  if (code !== undefined || message !== undefined) return { ...(message !== undefined ? { error: message } : {}), ...(code !== undefined ? { error_code: code } : {}) };
  try {
    return text === '' ? undefined : JSON.parse(text);
  } catch {
    return text.slice(0, 500);
  }
}

/** Which bytes `name` means in `view`: an artifact, or without a name the result (by URL or inline). */
export function pickSource(view: RequestView, name: string | undefined): Source {
  if (view.status === RequestStatus.Error) throw new RequestFailedError(view);
  if (view.status !== RequestStatus.Complete) {
    throw new DownloadError('not_complete', `request ${view.request_id} is ${view.status}: there is nothing to download until it is complete (wait for it first)`, view.request_id);
  }
  if (name !== undefined) {
    const files = view.artifacts ?? [];
    const file = files.find((candidate) => candidate.name === name);
    if (file === undefined) {
      const names = files.map((candidate) => candidate.name);
      const there = names.length > 0 ? `its files are: ${names.map((each) => JSON.stringify(each)).join(', ')}` : 'it wrote no files';
      throw new DownloadError('unknown_artifact', `request ${view.request_id} has no file named ${JSON.stringify(name)}; ${there}`, view.request_id, names);
    }
    return { name, contentType: file.content_type, url: file.url, size: file.size };
  }
  if (view.result_url !== undefined) return { name: undefined, contentType: JSON_TYPE, url: view.result_url, size: view.result_size };
  if (view.result !== undefined) return { name: undefined, contentType: JSON_TYPE, inline: new TextEncoder().encode(JSON.stringify(view.result)) };
  throw new DownloadError('no_result', `request ${view.request_id} is complete but has no result to download`, view.request_id);
}

function contentLength(response: Response): number | undefined {
  const header = response.headers.get('Content-Length');
  const length = header === null ? Number.NaN : Number(header);
  return Number.isSafeInteger(length) && length >= 0 ? length : undefined;
}

function concat(chunks: readonly Uint8Array[], length: number): Uint8Array {
  if (chunks.length === 1 && chunks[0]!.byteLength === length) return chunks[0]!;
  const bytes = new Uint8Array(length);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return bytes;
}

/**
 * Downloads the result (no `name`) or the artifact `name` of a complete request, streaming it into
 * `options.into` or collecting it; see {@link DownloadOptions}.
 */
export async function download(deps: DownloadDeps, target: string | RequestView, name: string | undefined, options: DownloadOptions = {}): Promise<Downloaded | DownloadInfo> {
  const { signal, onProgress, into } = options;
  const writer = into?.getWriter();
  try {
    let view = typeof target === 'string' ? await deps.read(target, signal) : target;
    let source = pickSource(view, name);
    const chunks: Uint8Array[] = [];
    let received = 0;
    const take = async (chunk: Uint8Array, total: number | undefined) => {
      if (writer !== undefined) await writer.write(chunk);
      else chunks.push(chunk);
      received += chunk.byteLength;
      onProgress?.(received, total);
    };

    if ('inline' in source) {
      await take(source.inline, source.inline.byteLength);
    } else {
      let remote = source;
      let refreshed = options.refresh === false;
      for (;;) {
        try {
          await fetchInto(deps, remote, view.request_id, signal, take);
          break;
        } catch (error) {
          // Expired: the next read of the request signs fresh URLs. Only before any byte came.
          if (!(error instanceof ExpiredUrlError) || refreshed || received > 0) throw error;
          refreshed = true;
          view = await deps.read(view.request_id, signal);
          const again = pickSource(view, name);
          if ('inline' in again) throw error;
          source = remote = again;
        }
      }
      if (remote.size !== undefined && received !== remote.size) {
        throw new DownloadError('incomplete', `${remote.name ?? 'the result'} of request ${view.request_id}: ${received} bytes came of the ${remote.size} announced`, view.request_id);
      }
    }
    await writer?.close();
    const info: DownloadInfo = { request_id: view.request_id, name: source.name, contentType: source.contentType, size: received, view };
    return writer !== undefined ? info : { ...info, bytes: concat(chunks, received) };
  } catch (error) {
    const reason = signal?.aborted ? abortReason(signal) : error;
    await writer?.abort(reason).catch(() => {});
    throw reason;
  } finally {
    writer?.releaseLock();
  }
}

/**
 * GETs a presigned URL (it carries its own authority: no API key, no credentials go with it) and
 * hands each chunk to `take`. Opening is retried for passing failures; a `403` is an
 * {@link ExpiredUrlError}; a body that stalls for `stallMs` or breaks off is a {@link NetworkError}.
 */
async function fetchInto(
  deps: DownloadDeps,
  source: { url: string; size: number | undefined },
  requestId: string,
  signal: AbortSignal | undefined,
  take: (chunk: Uint8Array, total: number | undefined) => Promise<void>,
): Promise<void> {
  const shown = withoutQuery(source.url);
  let stall: AbortController | undefined;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const arm = () => {
    clearTimeout(timer);
    const current = stall!;
    timer = setTimeout(() => current.abort(new Error(`no data for ${deps.stallMs} ms`)), deps.stallMs);
  };
  const fail = (error: unknown): never => {
    if (signal?.aborted) throw abortReason(signal);
    throw new NetworkError('GET', shown, stall?.signal.aborted ? stall.signal.reason : error);
  };
  let linked: { signal: AbortSignal; dispose(): void } | undefined;
  try {
    const response = await deps.retry(async () => {
      linked?.dispose();
      stall = new AbortController();
      linked = anySignal([signal, stall.signal]);
      arm();
      let answer: Response;
      try {
        answer = await deps.fetch(source.url, { method: 'GET', credentials: 'omit', signal: linked.signal });
      } catch (error) {
        return fail(error);
      } finally {
        clearTimeout(timer);
      }
      if (answer.ok) return answer;
      let text = '';
      arm();
      try {
        text = await answer.text();
      } catch {
        // The status says enough.
      } finally {
        clearTimeout(timer);
      }
      const body = parseStorageError(text);
      if (answer.status === 403) throw new ExpiredUrlError(shown, body, requestId);
      throw new HttpError('GET', shown, answer.status, body);
    }, signal);
    const total = source.size ?? contentLength(response);
    if (response.body === null) return;
    const reader = response.body.getReader();
    try {
      for (;;) {
        let next: ReadableStreamReadResult<Uint8Array>;
        // The watchdog times the network only: a slow `into` (a busy disk) is not a stalled download.
        arm();
        try {
          next = await reader.read();
        } catch (error) {
          return fail(error);
        } finally {
          clearTimeout(timer);
        }
        if (next.done) break;
        await take(next.value, total);
      }
    } finally {
      reader.releaseLock();
      await response.body.cancel().catch(() => {});
    }
  } finally {
    clearTimeout(timer);
    linked?.dispose();
  }
}
