import { TASKS } from '../contract.js';
import { delay } from '../delay.js';
import type { Task } from './task.js';
import { extractiveSummary, keywords } from './text-analysis.js';

const KEYWORD_LIMIT = 12;
const SUMMARY_SENTENCES = 3;

/** A second, shorter job type to show one table serving several kinds of work. */
export function createSummarizeTask(totalMs: number): Task<'summarize'> {
  return {
    name: 'summarize',
    description: TASKS.summarize,
    async run({ input, signal, reportProgress }) {
      reportProgress({ percent: 10, message: 'Ranking sentences' });
      await delay(totalMs / 2, signal);
      const summary = extractiveSummary(input.prompt, keywords(input.prompt, KEYWORD_LIMIT), SUMMARY_SENTENCES);
      reportProgress({ percent: 60, message: 'Summary written' });
      await delay(totalMs / 2, signal);
      return { summary };
    },
  };
}
