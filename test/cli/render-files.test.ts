import { describe, expect, it } from 'vitest';
import type { RequestView } from '../../src/client/index.js';
import { formatBytes } from '../../src/client/format.js';
import { downloadBar, formatOutcome, formatResult, formatView } from '../../src/cli/render.js';

const ID = '11111111-2222-4333-8444-555555555555';
const base = { request_id: ID, task: 'report', created_at: '2025-01-01T00:00:00.000Z', updated_at: '2025-01-01T00:00:01.000Z' };

describe('render: files, linked results and downloads', () => {
  it('formatBytes uses binary units with one decimal', () => {
    expect([0, 1023, 1024, 1536, 1024 * 1024, 5.25 * 1024 * 1024, 150 * 1024 * 1024, 3 * 1024 ** 3].map(formatBytes)).toEqual([
      '0 B',
      '1023 B',
      '1.0 KB',
      '1.5 KB',
      '1.0 MB',
      '5.3 MB',
      '150 MB',
      '3.0 GB',
    ]);
  });

  it("the report task's result reads as its file, keywords and summary", () => {
    expect(formatResult({ report: 'report.html', bytes: 1_048_700, summary: 'Short.', keywords: ['alpha', 'beta'] })).toBe(
      ['report     report.html (1.0 MB)', 'keywords   alpha, beta', 'summary    Short.'].join('\n'),
    );
  });

  it('a complete view lists its files; a result only linked shows its size and how to save it, never "undefined"', () => {
    const view: RequestView = {
      ...base,
      status: 'complete',
      result_url: 'http://127.0.0.1:1/b/result.json?X-Amz-Signature=x',
      result_size: 3 * 1024 * 1024,
      artifacts: [{ name: 'report.html', content_type: 'text/html; charset=utf-8', size: 2 * 1024 * 1024, url: 'http://127.0.0.1:1/b/report.html?X-Amz-Signature=x' }],
    };
    expect(formatOutcome(view)).toBe(
      ['result     3.0 MB of JSON, too large to show inline (save it with --output FILE)', 'file       report.html  2.0 MB  text/html; charset=utf-8  (save it with --artifact report.html)'].join('\n'),
    );
    expect(formatView(view)).not.toContain('undefined');
    expect(formatView(view)).not.toContain('X-Amz-Signature');
  });

  it('downloadBar shows the share, the bytes and the name; without a total, the bytes only', () => {
    expect(downloadBar(512 * 1024, 1024 * 1024, 'report.html')).toBe(`[${'#'.repeat(12)}${'-'.repeat(12)}]  50%  512 KB of 1.0 MB  report.html`);
    expect(downloadBar(1024 * 1024, 1024 * 1024, 'report.html')).toBe(`[${'#'.repeat(24)}] 100%  1.0 MB of 1.0 MB  report.html`);
    expect(downloadBar(2048, undefined, 'the result')).toBe(`[${'-'.repeat(24)}]  2.0 KB  the result`);
  });
});
