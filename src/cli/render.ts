import type { AssessResult, RequestView } from '../client/index.js';

const BAR_WIDTH = 24;

/** `processing 55% Weighed 8 keywords`: one line per state, for logs and pipes. */
export function progressLine(view: RequestView): string {
  const percent = view.progress !== undefined ? ` ${Math.round(view.progress.percent)}%` : '';
  const message = view.progress?.message !== undefined ? ` ${view.progress.message}` : '';
  return `${view.status}${percent}${message}`;
}

/** `[#########---------------]  38%  Counted 42 words`, redrawn in place on a terminal. */
export function progressBar(view: RequestView): string {
  const percent = Math.min(100, Math.max(0, view.progress?.percent ?? 0));
  const filled = Math.round((percent / 100) * BAR_WIDTH);
  const bar = `${'#'.repeat(filled)}${'-'.repeat(BAR_WIDTH - filled)}`;
  return `[${bar}] ${String(Math.round(percent)).padStart(3)}%  ${view.progress?.message ?? view.status}`;
}

function isAssessResult(value: unknown): value is AssessResult {
  const result = value as Partial<AssessResult> | null;
  return typeof result === 'object' && result !== null && typeof result.word_count === 'number' && Array.isArray(result.keywords);
}

/** The result as a person reads it: labelled counts, keywords and summary, or pretty JSON otherwise. */
export function formatResult(result: unknown): string {
  if (isAssessResult(result)) {
    const keywords = result.keywords.map((keyword) => `${keyword.term} (${keyword.count}, ${keyword.weight.toFixed(2)})`).join(', ');
    return [
      `words      ${result.word_count}`,
      `sentences  ${result.sentence_count}`,
      `characters ${result.character_count}`,
      `reading    ${result.reading_time_seconds} s`,
      `keywords   ${keywords || '(none)'}`,
      `summary    ${result.summary}`,
    ].join('\n');
  }
  const summary = (result as { summary?: unknown } | null)?.summary;
  if (typeof summary === 'string' && Object.keys(result as object).length === 1) return `summary    ${summary}`;
  return JSON.stringify(result, null, 2);
}

/** A request's state, then its result or error, as labelled lines. */
export function formatView(view: RequestView): string {
  const lines = [`request    ${view.request_id}`, `status     ${progressLine(view)}`, `task       ${view.task}`, `created    ${view.created_at}`, `updated    ${view.updated_at}`];
  if (view.session_id !== undefined) lines.push(`session    ${view.session_id}`);
  if (view.status === 'error') lines.push(`error      ${view.error ?? 'unknown'} (${view.error_code ?? 'no code'})`);
  if (view.status === 'complete') lines.push(formatResult(view.result));
  return lines.join('\n');
}
