import { Readable } from 'node:stream';
import { TASKS } from '../contract.js';
import { delay } from '../delay.js';
import { TaskError, type Task } from './task.js';
import { counted, extractiveSummary, keywords, readingTimeSeconds, sentences, words, type Keyword } from './text-analysis.js';

const KEYWORD_LIMIT = 12;
const SUMMARY_SENTENCES = 3;
const FILE_NAME = 'report.html';
const MB = 1024 * 1024;

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);

/** The report's pages, as a stream: the assessment, then an appendix of numbered sentence analyses until `minBytes` are out. */
function* reportHtml(prompt: string, ranked: Keyword[], summary: string, minBytes: number): Generator<string> {
  const allWords = words(prompt);
  const allSentences = sentences(prompt);
  let bytes = 0;
  const emit = (html: string) => {
    bytes += Buffer.byteLength(html);
    return html;
  };
  yield emit(`<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Assessment report</title>
<style>body{font:15px/1.5 system-ui,sans-serif;max-width:50rem;margin:2rem auto}td,th{padding:.2rem .6rem;text-align:left}</style></head><body>
<h1>Assessment report</h1>
<p>${counted(allWords.length, 'word')} in ${counted(allSentences.length, 'sentence')}, about ${readingTimeSeconds(allWords.length)} s to read.</p>
<h2>Summary</h2><blockquote>${escapeHtml(summary)}</blockquote>
<h2>Keywords</h2><table><tr><th>term</th><th>count</th><th>weight</th></tr>
${ranked.map((keyword) => `<tr><td>${escapeHtml(keyword.term)}</td><td>${keyword.count}</td><td>${keyword.weight}</td></tr>`).join('\n')}
</table><h2>Appendix: sentence by sentence</h2><ol>\n`);
  for (let index = 0; bytes < minBytes; index += 1) {
    const sentence = allSentences[index % allSentences.length] ?? prompt;
    const terms = words(sentence).map((word) => word.toLowerCase());
    const weight = ranked.filter((keyword) => terms.includes(keyword.term)).reduce((total, keyword) => total + keyword.weight, 0);
    yield emit(`<li><p>${escapeHtml(sentence)}</p><p>${counted(terms.length, 'word')}, keyword weight ${weight.toFixed(3)}, pass ${Math.floor(index / Math.max(1, allSentences.length)) + 1}</p></li>\n`);
  }
  yield emit('</ol></body></html>\n');
}

/**
 * A report generator, as a real one would be: it analyses the prompt, writes an HTML report of
 * at least `minMb` megabytes (an appendix makes up the size) as a file, and returns a small summary.
 * `totalMs` (DEMO_TASK_MS) paces its steps.
 */
export function createReportTask(totalMs: number, minMb: number): Task<'report'> {
  const stepMs = totalMs / 3;
  return {
    name: 'report',
    description: TASKS.report,
    async run({ input, signal, reportProgress, files }) {
      reportProgress({ percent: 5, message: 'Reading the prompt' });
      await delay(stepMs, signal);
      if (words(input.prompt).length === 0) throw new TaskError('The prompt has no words to report on.');
      const ranked = keywords(input.prompt, KEYWORD_LIMIT);
      const summary = extractiveSummary(input.prompt, ranked, SUMMARY_SENTENCES);
      reportProgress({ percent: 35, message: 'Analysed the prompt' });
      await delay(stepMs, signal);
      reportProgress({ percent: 60, message: `Writing a ${minMb} MB report` });
      const file = await files.put(FILE_NAME, Readable.from(reportHtml(input.prompt, ranked, summary, minMb * MB)), 'text/html; charset=utf-8');
      reportProgress({ percent: 90, message: 'Report stored' });
      await delay(stepMs, signal);
      return { report: file.name, bytes: file.size, summary, keywords: ranked.slice(0, 3).map((keyword) => keyword.term) };
    },
  };
}
