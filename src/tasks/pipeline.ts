import { TASKS, type PipelineResult } from '../contract.js';
import { delay } from '../delay.js';
import { TaskError, type Task } from './task.js';
import { extractiveSummary, keywords, sentences, words } from './text-analysis.js';

const STEPS = 5;
const OUTLINE_WORDS = 8;
const OUTLINE_LINES = 5;
const KEYWORD_LIMIT = 8;
const SUMMARY_SENTENCES = 2;

/**
 * The multi-step demo, shaped like an LLM pipeline whose every call is worth keeping: five steps,
 * each paced by a fifth of DEMO_TASK_MS and checkpointed, so a crash or a continuation resumes at
 * the first step not done, and a job longer than one invocation runs across several.
 */
export function createPipelineTask(totalMs: number): Task<'pipeline'> {
  const pace = (signal: AbortSignal) => delay(totalMs / STEPS, signal);
  return {
    name: 'pipeline',
    description: TASKS.pipeline,
    steps: STEPS,
    async run({ input, signal, reportProgress, step }) {
      const outline = await step('outline', async () => {
        reportProgress({ percent: 5, message: 'Outlining' });
        await pace(signal);
        const lines = sentences(input.prompt).map((sentence) => words(sentence).slice(0, OUTLINE_WORDS).join(' '));
        if (lines.length === 0) throw new TaskError('The prompt has no words to work on.');
        return lines.slice(0, OUTLINE_LINES);
      });
      const terms = await step('keywords', async () => {
        reportProgress({ percent: 25, message: 'Finding keywords' });
        await pace(signal);
        return keywords(input.prompt, KEYWORD_LIMIT).map((keyword) => keyword.term);
      });
      const counts = await step('count', async () => {
        reportProgress({ percent: 45, message: 'Counting' });
        await pace(signal);
        return { words: words(input.prompt).length, sentences: sentences(input.prompt).length };
      });
      const summary = await step('summary', async () => {
        reportProgress({ percent: 65, message: 'Summarising' });
        await pace(signal);
        return extractiveSummary(input.prompt, keywords(input.prompt, KEYWORD_LIMIT), SUMMARY_SENTENCES);
      });
      return step('assemble', async (): Promise<PipelineResult> => {
        reportProgress({ percent: 85, message: 'Assembling' });
        await pace(signal);
        return { outline, keywords: terms, summary, word_count: counts.words, sentence_count: counts.sentences };
      });
    },
  };
}
