import { describe, expect, it } from 'vitest';
import type { AssessResult, RequestView } from '../../src/client/index.js';
import { formatResult, formatView, progressBar, progressLine } from '../../src/cli/render.js';

const ID = '11111111-2222-4333-8444-555555555555';
const base = { request_id: ID, task: 'assess', created_at: '2025-01-01T00:00:00.000Z', updated_at: '2025-01-01T00:00:01.000Z' };

/** A request cancelled after its worker had reported 30%: the view still carries that progress. */
const cancelled: RequestView = {
  ...base,
  status: 'error',
  progress: { percent: 30, message: 'Counted 10 words in 2 sentences' },
  error: 'The request was cancelled by the caller.',
  error_code: 'cancelled',
};

describe('render: a request that ended as error shows no stale progress', () => {
  it('progressLine shows the status, not the last percentage and message', () => {
    expect(progressLine(cancelled)).toBe('error (cancelled)');
  });

  it('formatView shows the status and the error, without "30%" or the old message', () => {
    const text = formatView(cancelled);
    expect(text).toMatch(/^status {5}error \(cancelled\)$/m);
    expect(text).toMatch(/^error {6}The request was cancelled by the caller\. \(cancelled\)$/m);
    expect(text).not.toContain('30%');
    expect(text).not.toContain('Counted');
  });

  it('progressBar of an ended request shows its status, not the old message', () => {
    expect(progressBar(cancelled)).not.toContain('Counted');
    expect(progressBar(cancelled)).toContain('error');
  });

  it('a running request still shows its progress; a complete one may show 100% Done', () => {
    expect(progressLine({ ...base, status: 'processing', progress: { percent: 30, message: 'Counted 10 words in 2 sentences' } })).toBe(
      'processing 30% Counted 10 words in 2 sentences',
    );
    expect(progressLine({ ...base, status: 'pending' })).toBe('pending');
    const complete: RequestView = { ...base, status: 'complete', progress: { percent: 100, message: 'Done' }, result: { summary: 'S.' } };
    expect(progressLine(complete)).toBe('complete 100% Done');
    expect(formatView(complete)).toMatch(/^status {5}complete 100% Done$/m);
    expect(progressLine({ ...complete, progress: { percent: 80, message: 'Wrote the summary' } })).toBe('complete 100% Done');
    expect(progressLine({ ...complete, progress: undefined })).toBe('complete 100% Done');
  });

  it("a multi-step request shows its step while it runs or waits between invocations, not once it ended", () => {
    const step = { name: 'keywords', index: 2, count: 5 };
    const running: RequestView = { ...base, task: 'pipeline', status: 'processing', progress: { percent: 30, message: 'Weighing keywords' }, step };
    expect(progressLine(running)).toBe('processing 30% Weighing keywords (step 2/5 keywords)');
    expect(progressBar(running)).toMatch(/ 30%  Weighing keywords \(step 2\/5 keywords\)$/);
    expect(progressLine({ ...running, status: 'pending', progress: undefined })).toBe('pending (step 2/5 keywords)');
    expect(progressLine({ ...running, step: { name: 'draft', index: 3 } })).toBe('processing 30% Weighing keywords (step 3 draft)');
    expect(progressLine({ ...running, status: 'complete', result: {} })).toBe('complete 100% Done');
    expect(progressLine({ ...running, status: 'error', error_code: 'cancelled' })).toBe('error (cancelled)');
  });

  it('an error view without a code or sentence still reads plainly', () => {
    const bare: RequestView = { ...base, status: 'error', progress: { percent: 80, message: 'Wrote the summary' } };
    expect(progressLine(bare)).toBe('error');
    expect(formatView(bare)).toMatch(/^error {6}unknown \(no code\)$/m);
    expect(formatView(bare)).not.toContain('80%');
  });
});

describe('render: formatResult', () => {
  it('labels one of each as plainly as many', () => {
    const one: AssessResult = {
      word_count: 1,
      sentence_count: 1,
      character_count: 5,
      reading_time_seconds: 1,
      keywords: [{ term: 'hello', count: 1, weight: 1 }],
      summary: 'Hello',
    };
    expect(formatResult(one)).toBe(
      ['words      1', 'sentences  1', 'characters 5', 'reading    1 s', 'keywords   hello (1, 1.00)', 'summary    Hello'].join('\n'),
    );
  });
});

describe("render: the pipeline task's result", () => {
  it('is read as labelled lines, not taken for an assessment (whose keywords are objects)', () => {
    const text = formatResult({ outline: ['First line', 'Second line'], keywords: ['alpha', 'beta'], summary: 'S.', word_count: 12, sentence_count: 1 });
    expect(text).toBe(['outline    First line', '           Second line', 'keywords   alpha, beta', 'words      12 in 1 sentence', 'summary    S.'].join('\n'));
  });
});
