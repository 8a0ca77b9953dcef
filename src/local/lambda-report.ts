import type { FunctionError, InvocationUsage } from './runtime.js';

const BILLING_GRANULARITY_MS = 1;

/** Lambda's REPORT line; `Status` and `Error Type` appear only for a failed execution. */
export function reportLine(requestId: string, durationMs: number, memoryMb: number, usage: InvocationUsage, failure?: FunctionError): string {
  const initMs = usage.initDurationMs ?? 0;
  // Since August 2025 Lambda bills the init phase of on-demand functions as part of the invocation.
  const billed = Math.ceil((durationMs + initMs) / BILLING_GRANULARITY_MS) * BILLING_GRANULARITY_MS;
  const fields = [
    `REPORT RequestId: ${requestId}`,
    `Duration: ${durationMs.toFixed(2)} ms`,
    `Billed Duration: ${billed} ms`,
    `Memory Size: ${memoryMb} MB`,
    `Max Memory Used: ${usage.maxMemoryUsedMb ?? 0} MB`,
  ];
  if (usage.initDurationMs !== undefined) fields.push(`Init Duration: ${usage.initDurationMs.toFixed(2)} ms`);
  if (failure !== undefined) {
    fields.push(`Status: ${failure.errorType === 'Sandbox.Timedout' ? 'timeout' : 'error'}`, `Error Type: ${failure.errorType}`);
  }
  return fields.join('\t');
}
