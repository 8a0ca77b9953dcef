import { createHash, randomBytes } from 'node:crypto';

/**
 * Lambda's recursive loop detection, as the local Lambda service plays it. Each invocation runs
 * under an X-Ray trace id whose `Lineage` field counts the function's invocations in the chain
 * of requests that led to it; the runtime puts that id in `_X_AMZN_TRACE_ID`, and the AWS SDK
 * sends it along as `X-Amzn-Trace-Id` on every call the function makes (its recursion-detection
 * middleware). An invocation requested with such a header is the next one of the chain; past
 * {@link LAMBDA_RECURSION_LIMIT} Lambda stops it. A call with no lineage (API Gateway, a
 * schedule, a client outside Lambda) starts a chain.
 */
export const LAMBDA_RECURSION_LIMIT = 16;

function functionHash(functionArn: string): string {
  return createHash('sha256').update(functionArn).digest('hex').slice(0, 8);
}

/** How many invocations of the function the chain that sent `traceHeader` has had; 0 for none. */
export function chainLength(traceHeader: string | undefined, functionArn: string): number {
  const lineage = /(?:^|;)\s*Lineage=([0-9a-f]{8}):(\d+)/.exec(traceHeader ?? '');
  return lineage !== null && lineage[1] === functionHash(functionArn) ? Number(lineage[2]) : 0;
}

/** A trace id for the `length`th invocation of the function in its chain. */
export function traceIdFor(length: number, functionArn: string): string {
  const root = `1-${Math.floor(Date.now() / 1000).toString(16)}-${randomBytes(12).toString('hex')}`;
  return `Root=${root};Parent=${randomBytes(8).toString('hex')};Sampled=0;Lineage=${functionHash(functionArn)}:${length}`;
}
