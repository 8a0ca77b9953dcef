import { DELIMITER_BYTES } from './lambda-streaming.mjs';

/** What a streaming function sends before its body (HttpResponseStream.from). */
export interface StreamPrelude {
  statusCode?: number;
  headers?: Record<string, string>;
  cookies?: string[];
}

/**
 * Reads a response-streaming function's bytes as a streaming front does: the JSON prelude up to
 * DELIMITER_BYTES NUL bytes (JSON holds no NUL), then the body, passed on chunk by chunk.
 */
export function createPreludeReader(onPrelude: (prelude: StreamPrelude) => void, onBody: (chunk: Buffer) => void): (chunk: Buffer) => void {
  let head: Buffer | undefined = Buffer.alloc(0);
  const delimiter = Buffer.alloc(DELIMITER_BYTES);
  return (chunk) => {
    if (head === undefined) return onBody(chunk);
    head = Buffer.concat([head, chunk]);
    const at = head.indexOf(delimiter);
    if (at < 0) return;
    const rest = head.subarray(at + DELIMITER_BYTES);
    onPrelude(JSON.parse(head.subarray(0, at).toString('utf8')) as StreamPrelude);
    head = undefined;
    if (rest.length > 0) onBody(rest);
  };
}
