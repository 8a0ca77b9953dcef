import { access, constants, open, rename, rm, stat, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { DownloadError, HttpError, NetworkError, type Client, type RequestView } from '../client/index.js';
import { formatBytes } from '../client/format.js';
import type { Output } from './args.js';
import { downloadBar } from './render.js';

/** How often a terminal's download bar is redrawn, at most. */
const REDRAW_MS = 100;

/** What `--output` saved. */
export interface Saved {
  file: string;
  bytes: number;
  /** The artifact saved; `null` for the request's result. */
  artifact: string | null;
  content_type: string;
}

/** `--output` could not save: names the file and what was to go in it, keeps what failed as `cause`. */
export class SaveFailure extends Error {
  override readonly name = 'SaveFailure';

  constructor(
    message: string,
    readonly requestId: string | undefined,
    readonly file: string,
    readonly artifact: string | undefined,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }

  /** The `--json` document for this ending. */
  document(): Record<string, unknown> {
    const cause = this.cause;
    return {
      error: 'download',
      message: this.message,
      request_id: this.requestId ?? null,
      file: this.file,
      artifact: this.artifact ?? null,
      ...(cause instanceof HttpError ? { status: cause.status, error_code: cause.code ?? null } : {}),
      ...(cause instanceof NetworkError ? { code: cause.code ?? null } : {}),
      ...(cause instanceof DownloadError ? { code: cause.code, available: cause.available } : {}),
    };
  }
}

interface Io {
  stderr: { write(text: string): unknown; isTTY?: boolean };
  interrupt: AbortSignal;
}

/** Fails early, before any work is submitted, when FILE's folder cannot be written. */
export async function checkWritable(file: string): Promise<void> {
  const folder = dirname(resolve(file));
  try {
    await access(folder, constants.W_OK);
  } catch (error) {
    throw new SaveFailure(`cannot write ${file}: ${(error as NodeJS.ErrnoException).code === 'ENOENT' ? `no folder ${folder}` : (error as Error).message}`, undefined, file, undefined, { cause: error });
  }
}

/** A `WritableStream` onto an open file: each chunk is written before the next is taken, so memory stays flat. */
function fileSink(handle: FileHandle): WritableStream<Uint8Array> {
  return new WritableStream<Uint8Array>({
    async write(chunk) {
      for (let offset = 0; offset < chunk.byteLength; ) {
        const { bytesWritten } = await handle.write(chunk, offset);
        offset += bytesWritten;
      }
    },
    close: () => handle.close(),
    abort: () => handle.close(),
  });
}

/**
 * Streams the chosen bytes of a complete request to `output.file`: into a hidden sibling first,
 * renamed over FILE once whole, so a failed or interrupted download never leaves a truncated FILE
 * (a FILE that is not a regular one, say /dev/null, is written directly). A bar on a terminal's
 * stderr, one line otherwise (none with --json).
 */
export async function saveOutput(client: Client, view: RequestView, output: Output, io: Io, json: boolean): Promise<Saved> {
  const { file } = output;
  const { artifact } = output;
  const what = artifact ?? 'the result';
  const existing = await stat(file).catch(() => undefined);
  const direct = existing !== undefined && !existing.isFile();
  const partial = direct ? file : join(dirname(file), `.${basename(file)}.${process.pid}.part`);
  let handle: FileHandle;
  try {
    handle = await open(partial, 'w');
  } catch (error) {
    throw new SaveFailure(`cannot write ${file}: ${(error as Error).message}`, view.request_id, file, artifact, { cause: error });
  }

  const tty = io.stderr.isTTY === true;
  let drawn = 0;
  const onProgress = (received: number, total: number | undefined) => {
    if (!tty) return;
    const now = Date.now();
    if (now - drawn < REDRAW_MS && received !== total) return;
    drawn = now;
    io.stderr.write(`\r\x1b[2K${downloadBar(received, total, what)}`);
  };
  if (!tty && !json) {
    const size = artifact !== undefined ? view.artifacts?.find((each) => each.name === artifact)?.size : view.result_size;
    io.stderr.write(`downloading ${what}${size !== undefined ? ` (${formatBytes(size)})` : ''} to ${file}\n`);
  }
  try {
    const done = await client.download(view, artifact, { into: fileSink(handle), signal: io.interrupt, onProgress });
    if (!direct) await rename(partial, file);
    return { file, bytes: done.size, artifact: done.name ?? null, content_type: done.contentType };
  } catch (error) {
    await handle.close().catch(() => {});
    if (!direct) await rm(partial, { force: true });
    if (io.interrupt.aborted) throw error;
    throw new SaveFailure(`could not save ${what} of request ${view.request_id} to ${file}: ${error instanceof Error ? error.message : String(error)}`, view.request_id, file, artifact, { cause: error });
  } finally {
    if (drawn > 0) io.stderr.write('\r\x1b[2K');
  }
}
