import type { AssessResult, PipelineResult, ReportResult } from '../contract.js';

/**
 * Which demo task's result a value is, by its shape, for the CLI and the demo page to lay it out
 * (a result is plain JSON; a view does not say which shape it holds). Not part of the client's API.
 */
export function isReportResult(value: unknown): value is ReportResult {
  const result = value as Partial<ReportResult> | null;
  return typeof result === 'object' && result !== null && typeof result.report === 'string' && typeof result.bytes === 'number' && Array.isArray(result.keywords);
}

export function isPipelineResult(value: unknown): value is PipelineResult {
  const result = value as Partial<PipelineResult> | null;
  return typeof result === 'object' && result !== null && Array.isArray(result.outline) && Array.isArray(result.keywords) && typeof result.summary === 'string';
}

/** An assessment's keywords are objects ({term, count, weight}); the other tasks' are strings. */
export function isAssessResult(value: unknown): value is AssessResult {
  const result = value as Partial<AssessResult> | null;
  return (
    typeof result === 'object' &&
    result !== null &&
    typeof result.word_count === 'number' &&
    Array.isArray(result.keywords) &&
    result.keywords.every((keyword) => typeof keyword === 'object' && keyword !== null)
  );
}
