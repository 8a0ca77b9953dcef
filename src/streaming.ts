import { once } from 'node:events';
import type { Writable } from 'node:stream';
import type { Context } from 'aws-lambda';
import { ROUTES } from './contract.js';
import type { Handler } from './create-handler.js';
import { isHttpApiEvent, isRestApiEvent } from './events.js';
import { RECONNECT_MS, type StreamingResult } from './http/events-route.js';

/** The part of the Lambda Node.js runtime's `awslambda` global a response-streaming function uses. */
export interface LambdaStreamingApi {
  streamifyResponse(handler: StreamingHandler): StreamingHandler;
  HttpResponseStream: { from(stream: Writable, prelude: { statusCode: number; headers?: Record<string, string> }): Writable };
}

export type StreamingHandler = (event: unknown, responseStream: Writable, context: Context) => Promise<void>;

/** A function URL's host: `<url-id>.lambda-url.<region>.on.aws`. */
const FUNCTION_URL_HOST = /\.lambda-url\.[a-z0-9-]+\.on\.aws$/;
/** The local stack's function URL front marks its events so (see local/proxy-events.ts). */
export const LOCAL_FUNCTION_URL_API_ID = 'local-function-url';

/**
 * Whether the front that delivered `event` reads the answer as a stream (HttpResponseStream's
 * prelude, then the body as written): a function URL (invoke mode RESPONSE_STREAM: every route)
 * and a REST API's events method (response transfer mode STREAM). Every other answer (a REST API's
 * other methods, an HTTP API, the async events) is the JSON payload, as from a plain handler.
 */
export function frontStreams(event: unknown): boolean {
  if (isRestApiEvent(event)) return event.resource === ROUTES.events.resource;
  if (!isHttpApiEvent(event)) return false;
  const { domainName, apiId } = event.requestContext;
  return FUNCTION_URL_HOST.test(domainName ?? '') || apiId === LOCAL_FUNCTION_URL_API_ID;
}

async function writeAll(body: Writable, frames: AsyncIterable<string>): Promise<void> {
  for await (const frame of frames) {
    // The caller went away: stop reading the table for it (the generator's finally runs).
    if (body.destroyed) return;
    if (!body.write(frame)) await Promise.race([once(body, 'drain'), once(body, 'close')]);
  }
}

/**
 * The handler as the Lambda runtime runs a response-streaming function (`api` is its `awslambda`
 * global): to a front that streams, the status and headers as HttpResponseStream's prelude, then
 * the body, an event stream frame by frame as it is produced; to anything else, the JSON result.
 */
export function streamingHandler(handler: Handler, api: LambdaStreamingApi): StreamingHandler {
  return api.streamifyResponse(async (event, responseStream, context) => {
    const streams = frontStreams(event);
    const result = await handler(event, context, { streaming: streams });
    if (!streams) {
      responseStream.end(JSON.stringify(result ?? null));
      return;
    }
    const http = result as StreamingResult;
    const body = api.HttpResponseStream.from(responseStream, { statusCode: http.statusCode, headers: Object.fromEntries(Object.entries(http.headers ?? {}).map(([name, value]) => [name, String(value)])) });
    // The prelude goes out with the first write, so even an empty body writes once.
    body.write(http.isBase64Encoded ? Buffer.from(http.body, 'base64') : http.body);
    try {
      if (http.stream !== undefined) await writeAll(body, http.stream);
    } catch {
      // The table went out of reach mid-stream (the route logs nothing here): the client reconnects and resumes.
      if (!body.destroyed) body.write(`retry: ${RECONNECT_MS}\n\n`);
    }
    body.end();
  });
}

/** The entry point's handler: streaming where the runtime offers it (`awslambda` is a global inside Lambda only), else plain. */
export function withStreaming(handler: Handler, api: Partial<LambdaStreamingApi> | undefined = (globalThis as unknown as { awslambda?: Partial<LambdaStreamingApi> }).awslambda): Handler | StreamingHandler {
  // The SDK's invoke store sets `globalThis.awslambda = globalThis.awslambda || {}` on import, so
  // outside Lambda the global can exist without the runtime's functions.
  return typeof api?.streamifyResponse === 'function' && api.HttpResponseStream !== undefined ? streamingHandler(handler, api as LambdaStreamingApi) : handler;
}
