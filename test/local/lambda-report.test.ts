import { describe, expect, it } from 'vitest';
import { reportLine } from '../../src/local/lambda-report.js';
import { FunctionError } from '../../src/local/runtime.js';

const ID = '8f2c1e4a-0000-4000-8000-000000000001';

describe("Lambda's REPORT line", () => {
  it('reports a warm success: duration, billed duration, memory', () => {
    expect(reportLine(ID, 12.345, 256, { maxMemoryUsedMb: 70 })).toBe(
      `REPORT RequestId: ${ID}\tDuration: 12.35 ms\tBilled Duration: 13 ms\tMemory Size: 256 MB\tMax Memory Used: 70 MB`,
    );
  });

  it('bills a cold start its init, shown apart from the duration', () => {
    expect(reportLine(ID, 10, 128, { maxMemoryUsedMb: 60, initDurationMs: 150.5 })).toBe(
      `REPORT RequestId: ${ID}\tDuration: 10.00 ms\tBilled Duration: 161 ms\tMemory Size: 128 MB\tMax Memory Used: 60 MB\tInit Duration: 150.50 ms`,
    );
  });

  it('adds Status and Error Type for a failed execution, timeout for Sandbox.Timedout', () => {
    const timedOut = reportLine(ID, 500, 128, {}, new FunctionError('Sandbox.Timedout', 'Task timed out after 0.50 seconds'));
    const failed = reportLine(ID, 5, 128, {}, new FunctionError('TypeError', 'boom'));

    expect(timedOut).toMatch(/\tMax Memory Used: 0 MB\tStatus: timeout\tError Type: Sandbox.Timedout$/);
    expect(failed).toMatch(/\tStatus: error\tError Type: TypeError$/);
  });
});
