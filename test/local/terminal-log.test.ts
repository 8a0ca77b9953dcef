import { describe, expect, it } from 'vitest';
import { createTerminalLog, terminalLine } from '../../src/local/terminal-log.js';

const TIME = '2026-12-03T16:21:39.123Z';
const json = (fields: Record<string, unknown>) => JSON.stringify({ time: TIME, ...fields });

describe('terminalLine', () => {
  it('turns the request events into one short line each', () => {
    const id = 'abc';
    expect(
      [
        json({ level: 'info', message: 'accepted', request_id: id, task: 'report' }),
        json({ level: 'info', message: 'claimed', request_id: id, task: 'report', attempt: 2 }),
        json({ level: 'info', message: 'step started', request_id: id, step: 'outline' }),
        json({ level: 'info', message: 'finished', request_id: id, status: 'complete' }),
        json({ level: 'info', message: 'finished', request_id: id, status: 'error', error_code: 'timeout' }),
        json({ level: 'info', message: 'cancelled', request_id: id }),
        json({ level: 'info', message: 'webhook delivered', request_id: id, status: 204 }),
        json({ level: 'error', message: 'webhook given up', request_id: id, attempts: 12, last_status: 500 }),
      ].map(terminalLine),
    ).toEqual([
      '16:21:39  abc  accepted (report)',
      '16:21:39  abc  started (report, attempt 2)',
      '16:21:39  abc  step outline',
      '16:21:39  abc  done',
      '16:21:39  abc  failed: timeout',
      '16:21:39  abc  cancelled',
      '16:21:39  abc  webhook delivered (HTTP 204)',
      '16:21:39  abc  webhook failed after 12 tries (last: 500)',
    ]);
  });

  it('keeps warnings, errors and plain lines; drops metrics, routine info and START/END/REPORT', () => {
    expect(terminalLine(json({ level: 'warn', message: 'dispatch failed', request_id: 'abc', error: 'TimeoutError: late', stack: 'at x' }))).toBe(
      '16:21:39  abc  warn: dispatch failed (TimeoutError: late)',
    );
    expect(terminalLine('ERROR RequestId: 1\tSandbox.Timedout: Task timed out after 1.00 seconds')).toBe('ERROR RequestId: 1\tSandbox.Timedout: Task timed out after 1.00 seconds');
    expect(terminalLine(JSON.stringify({ _aws: { Timestamp: 1 }, Accepted: 1 }))).toBeUndefined();
    expect(terminalLine(json({ level: 'info', message: 'swept', due: 0 }))).toBeUndefined();
    expect(terminalLine('START RequestId: 1 Version: $LATEST')).toBeUndefined();
    expect(terminalLine('END RequestId: 1')).toBeUndefined();
    expect(terminalLine('REPORT RequestId: 1\tDuration: 1.00 ms')).toBeUndefined();
  });

  it('at debug, writes every line as it came', () => {
    const written: string[] = [];
    const log = createTerminalLog('debug', (line) => written.push(line));
    log('START RequestId: 1 Version: $LATEST');
    log(json({ level: 'info', message: 'swept' }));
    expect(written).toHaveLength(2);
  });
});
