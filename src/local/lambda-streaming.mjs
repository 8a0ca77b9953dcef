// What Lambda's Node.js runtime gives a response-streaming function, for the local runtimes: the
// `awslambda` global (streamifyResponse, HttpResponseStream) and the response stream itself. The
// same protocol as the runtime's: a handler marked by streamifyResponse is called with
// (event, responseStream, context); HttpResponseStream.from writes a JSON prelude and 8 NUL bytes
// before the first body bytes. Plain JavaScript: the sandboxes run it under bare `node`.
import { Writable } from 'node:stream';

/** The mark the runtime looks for on a handler (aws-lambda-nodejs-runtime-interface-client). */
export const STREAMING_HANDLER = Symbol.for('aws.lambda.runtime.handler.streaming');
export const HTTP_INTEGRATION_CONTENT_TYPE = 'application/vnd.awslambda.http-integration-response';
/** The NUL bytes between the prelude and the body. */
export const DELIMITER_BYTES = 8;

function streamifyResponse(handler) {
  handler[STREAMING_HANDLER] = 'response';
  return handler;
}

class HttpResponseStream {
  static from(underlying, prelude) {
    underlying.setContentType(HTTP_INTEGRATION_CONTENT_TYPE);
    const metadata = JSON.stringify(prelude);
    underlying._onBeforeFirstWrite = (write) => {
      write(metadata);
      write(new Uint8Array(DELIMITER_BYTES));
    };
    return underlying;
  }
}

/** The global as the runtime defines it. */
export const awslambda = { streamifyResponse, HttpResponseStream };

export function isStreamingHandler(handler) {
  return handler?.[STREAMING_HANDLER] === 'response';
}

/** The stream a streaming handler writes to: each chunk goes to `sink` as it is written. */
function createResponseStream(sink) {
  let first = true;
  const stream = new Writable({
    write(chunk, _encoding, callback) {
      if (first) {
        first = false;
        stream._onBeforeFirstWrite?.((bytes) => sink(Buffer.from(bytes)));
      }
      sink(Buffer.from(chunk));
      callback();
    },
  });
  stream.contentType = 'application/octet-stream';
  stream.setContentType = (type) => void (stream.contentType = type);
  return stream;
}

/**
 * Runs `handler` for one invocation as the runtime would. A streaming handler gets a response
 * stream: its bytes go to `onChunk` when the caller streams (InvokeWithResponseStream, a front in
 * streaming mode), else they are collected into the payload (a plain Invoke). `signal` aborts
 * when the caller goes away: the stream is destroyed, as the connection it wrote to is.
 */
export async function runHandler(handler, event, context, onChunk, signal) {
  if (!isStreamingHandler(handler)) return handler(event, context);
  const collected = [];
  const stream = createResponseStream((chunk) => (onChunk ? onChunk(chunk) : collected.push(chunk)));
  const finished = new Promise((resolve) => {
    stream.on('finish', resolve);
    stream.on('close', resolve);
  });
  const abort = () => stream.destroy();
  signal?.addEventListener('abort', abort, { once: true });
  try {
    await handler(event, stream, context);
    await finished;
  } finally {
    signal?.removeEventListener('abort', abort);
  }
  if (onChunk) return null;
  const text = Buffer.concat(collected).toString('utf8');
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
