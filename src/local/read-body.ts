import type { IncomingMessage } from 'node:http';

export interface ReadBodyOptions {
  /**
   * When a body over the limit is answered: `at-once` as soon as it passes the limit (the API
   * Gateway front, which then refuses and drops the connection), `at-end` once the whole body has
   * arrived (the Invoke API, whose caller then reads the answer rather than a reset connection).
   * Either way the rest is read and dropped, never kept.
   */
  whenOver: 'at-once' | 'at-end';
}

/** Reads a request body whole, or answers undefined when it is over `limit` bytes (a chunked upload declares no length). */
export function readBody(request: IncomingMessage, limit: number, { whenOver }: ReadBodyOptions): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= limit) return void chunks.push(chunk);
      chunks.length = 0;
      if (whenOver === 'at-once') resolve(undefined);
    });
    // A promise settles once: after an early answer, the end and any error change nothing.
    request.on('end', () => resolve(size <= limit ? Buffer.concat(chunks) : undefined));
    request.on('error', reject);
  });
}
