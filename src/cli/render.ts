import type { RequestView } from '../client/index.js';
import { formatBytes, formatStep } from '../client/format.js';
import { isAssessResult, isPipelineResult, isReportResult } from '../client/result-shapes.js';

const BAR_WIDTH = 24;

/**
 * The progress worth showing. A request that ended keeps the last progress its worker reported,
 * which says nothing once it is over: `error` shows none, `complete` always `100% Done`.
 */
function liveProgress(view: RequestView): RequestView['progress'] {
  if (view.status === 'error') return undefined;
  if (view.status === 'complete') return { percent: 100, message: 'Done' };
  return view.progress;
}

/** `error (cancelled)`: the status of a request that ended as error, with its code. */
function endedLabel(view: RequestView): string {
  return view.error_code !== undefined ? `${view.status} (${view.error_code})` : view.status;
}

/** ` (step 2/5 keywords)` while a multi-step request runs; nothing once it ended or for a task without steps. */
function stepSuffix(view: RequestView): string {
  return view.step !== undefined && (view.status === 'pending' || view.status === 'processing') ? ` (${formatStep(view.step)})` : '';
}

/**
 * `processing 55% Weighed 8 keywords`: one line per state, for logs and pipes; a multi-step task's
 * step follows, `(step 2/5 keywords)`. A request that ended as `error` shows `error (cancelled)`,
 * not the progress it had reached; `complete` shows `100% Done`.
 */
export function progressLine(view: RequestView): string {
  if (view.status === 'error') return endedLabel(view);
  const progress = liveProgress(view);
  return `${progress !== undefined ? `${view.status} ${Math.round(progress.percent)}% ${progress.message}` : view.status}${stepSuffix(view)}`;
}

/** `[#########---------------]  38%  Counted 42 words`, redrawn in place on a terminal. */
export function progressBar(view: RequestView): string {
  if (view.status === 'error') return `[${'-'.repeat(BAR_WIDTH)}]  ${endedLabel(view)}`;
  const progress = liveProgress(view);
  const percent = Math.min(100, Math.max(0, progress?.percent ?? 0));
  const filled = Math.round((percent / 100) * BAR_WIDTH);
  const bar = `${'#'.repeat(filled)}${'-'.repeat(BAR_WIDTH - filled)}`;
  return `[${bar}] ${String(Math.round(percent)).padStart(3)}%  ${progress?.message ?? view.status}${stepSuffix(view)}`;
}




/** The result as a person reads it: labelled counts, keywords and summary, or pretty JSON otherwise. */
export function formatResult(result: unknown): string {
  if (isReportResult(result)) {
    return [`report     ${result.report} (${formatBytes(result.bytes)})`, `keywords   ${result.keywords.join(', ') || '(none)'}`, `summary    ${result.summary}`].join('\n');
  }
  if (isPipelineResult(result)) {
    return [
      ...result.outline.map((line, index) => `${index === 0 ? 'outline   ' : '          '} ${line}`),
      `keywords   ${result.keywords.join(', ') || '(none)'}`,
      `words      ${result.word_count} in ${result.sentence_count} ${result.sentence_count === 1 ? 'sentence' : 'sentences'}`,
      `summary    ${result.summary}`,
    ].join('\n');
  }
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

/**
 * What a complete request gave: its result (or, when it came only as `result_url`, its size) and
 * one line per file it wrote.
 */
export function formatOutcome(view: RequestView): string {
  const lines: string[] = [];
  if (view.result !== undefined) lines.push(formatResult(view.result));
  else if (view.result_url !== undefined) lines.push(`result     ${view.result_size !== undefined ? `${formatBytes(view.result_size)} of JSON` : 'JSON'}, too large to show inline (save it with --output FILE)`);
  for (const file of view.artifacts ?? []) lines.push(`file       ${file.name}  ${formatBytes(file.size)}  ${file.content_type}  (save it with --artifact ${shellWord(file.name)})`);
  return lines.join('\n');
}

/** A name as a shell reads it back: as it is when it is plain, else in single quotes. */
function shellWord(name: string): string {
  return /^[\w.,@%+=:\/-]+$/.test(name) ? name : `'${name.replaceAll("'", `'\\''`)}'`;
}

/** `[#########---------------]  38%  0.4 of 1.0 MB  report.html`: a download, redrawn in place on a terminal. */
export function downloadBar(received: number, total: number | undefined, label: string): string {
  if (total === undefined || total <= 0) return `[${'-'.repeat(BAR_WIDTH)}]  ${formatBytes(received)}  ${label}`;
  const share = Math.min(1, received / total);
  const filled = Math.round(share * BAR_WIDTH);
  return `[${'#'.repeat(filled)}${'-'.repeat(BAR_WIDTH - filled)}] ${String(Math.floor(share * 100)).padStart(3)}%  ${formatBytes(received)} of ${formatBytes(total)}  ${label}`;
}

/** A request's state, then its result or error, as labelled lines. */
export function formatView(view: RequestView): string {
  const lines = [`request    ${view.request_id}`, `status     ${progressLine(view)}`, `task       ${view.task}`, `created    ${view.created_at}`, `updated    ${view.updated_at}`];
  if (view.session_id !== undefined) lines.push(`session    ${view.session_id}`);
  if (view.callback !== undefined) lines.push(`webhook    ${webhookLine(view.callback)}`);
  if (view.status === 'error') lines.push(`error      ${view.error ?? 'unknown'} (${view.error_code ?? 'no code'})`);
  const outcome = view.status === 'complete' ? formatOutcome(view) : '';
  if (outcome !== '') lines.push(outcome);
  return lines.join('\n');
}

/** `delivered (1 try, 200)`, `pending (3 tries, last 500)`, `pending`. */
export function webhookLine(callback: NonNullable<RequestView['callback']>): string {
  if (callback.attempts === 0) return callback.status;
  const tries = `${callback.attempts} ${callback.attempts === 1 ? 'try' : 'tries'}`;
  return `${callback.status} (${tries}${callback.last_status !== undefined ? `, last ${callback.last_status}` : ''})`;
}
