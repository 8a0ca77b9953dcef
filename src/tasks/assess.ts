import { TASKS } from '../contract.js';
import { delay } from '../delay.js';
import { TaskError, type Task } from './task.js';
import { counted, extractiveSummary, keywords, readingTimeSeconds, sentences, words } from './text-analysis.js';

const KEYWORD_LIMIT = 8;
const SUMMARY_SENTENCES = 2;

/**
 * The default task: an offline, deterministic assessment of the prompt, in four paced steps so a
 * demo shows real progress. `totalMs` (DEMO_TASK_MS) spreads the steps out, e.g. past the 29 s cut.
 */
export function createAssessTask(totalMs: number): Task<'assess'> {
  const stepMs = totalMs / 4;
  return {
    name: 'assess',
    description: TASKS.assess,
    async run({ input, signal, reportProgress }) {
      reportProgress({ percent: 5, message: 'Reading the prompt' });
      await delay(stepMs, signal);
      const allWords = words(input.prompt);
      if (allWords.length === 0) throw new TaskError('The prompt has no words to assess.');
      const allSentences = sentences(input.prompt);
      reportProgress({ percent: 30, message: `Counted ${counted(allWords.length, 'word')} in ${counted(allSentences.length, 'sentence')}` });
      await delay(stepMs, signal);
      const ranked = keywords(input.prompt, KEYWORD_LIMIT);
      reportProgress({ percent: 55, message: `Weighed ${counted(ranked.length, 'keyword')}` });
      await delay(stepMs, signal);
      const summary = extractiveSummary(input.prompt, ranked, SUMMARY_SENTENCES);
      reportProgress({ percent: 80, message: 'Wrote the summary' });
      await delay(stepMs, signal);
      return {
        word_count: allWords.length,
        sentence_count: allSentences.length,
        character_count: input.prompt.length,
        reading_time_seconds: readingTimeSeconds(allWords.length),
        keywords: ranked,
        summary,
      };
    },
  };
}
