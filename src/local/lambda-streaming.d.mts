import type { Context } from 'aws-lambda';
import type { LambdaStreamingApi } from '../streaming.js';

export const STREAMING_HANDLER: unique symbol;
export const HTTP_INTEGRATION_CONTENT_TYPE: string;
export const DELIMITER_BYTES: number;
/** The `awslambda` global as Lambda's Node.js runtime defines it. */
export const awslambda: LambdaStreamingApi;
export function isStreamingHandler(handler: unknown): boolean;
/** Runs a handler for one invocation as the runtime would (see lambda-streaming.mjs). */
export function runHandler(
  handler: (...args: never[]) => unknown,
  event: unknown,
  context: Context,
  onChunk?: (chunk: Buffer) => void,
  signal?: AbortSignal,
): Promise<unknown>;
