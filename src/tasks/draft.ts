import { TASKS } from '../contract.js';
import { delay } from '../delay.js';
import type { Task } from './task.js';

/** About as many tokens as a short model answer. */
export const DRAFT_TOKENS = 300;
/** A line break after this many tokens, so the text reads as paragraphs. */
const TOKENS_PER_LINE = 15;
/** Written in this many steps, each checkpointed: a crash reruns only the paragraph under way. */
export const DRAFT_PARAGRAPHS = 3;

/** The draft for `prompt`: its words in order, again and again, DRAFT_TOKENS of them, each token a word and its separator. */
export function draftTokens(prompt: string): string[] {
  const words = prompt.split(/\s+/).filter((word) => word.length > 0);
  if (words.length === 0) words.push('…');
  return Array.from({ length: DRAFT_TOKENS }, (_, index) => `${words[index % words.length]}${(index + 1) % TOKENS_PER_LINE === 0 ? '\n' : ' '}`);
}

/**
 * The demo of live output: writes a draft token by token over `totalMs` with `emit`, as a model
 * streams its answer, in DRAFT_PARAGRAPHS checkpointed steps. The result's `text` is the whole
 * output, byte for byte. The same prompt gives the same tokens, so a paragraph rerun after a
 * crash re-emits only what was not out yet.
 */
export function createDraftTask(totalMs: number): Task<'draft'> {
  return {
    name: 'draft',
    description: TASKS.draft,
    steps: DRAFT_PARAGRAPHS,
    async run({ input, signal, reportProgress, emit, step }) {
      const tokens = draftTokens(input.prompt);
      const perParagraph = Math.ceil(tokens.length / DRAFT_PARAGRAPHS);
      const paragraphs: string[] = [];
      for (let paragraph = 0; paragraph < DRAFT_PARAGRAPHS; paragraph += 1) {
        const mine = tokens.slice(paragraph * perParagraph, (paragraph + 1) * perParagraph);
        paragraphs.push(
          await step(`paragraph-${paragraph + 1}`, async () => {
            for (const token of mine) {
              await delay(totalMs / tokens.length, signal);
              emit(token);
            }
            return mine.join('');
          }),
        );
        reportProgress({ percent: Math.round(((paragraph + 1) / DRAFT_PARAGRAPHS) * 100), message: `Wrote paragraph ${paragraph + 1} of ${DRAFT_PARAGRAPHS}` });
      }
      return { text: paragraphs.join('') };
    },
  };
}
