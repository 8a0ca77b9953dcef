/** Deterministic, dependency-free text statistics used by the demo tasks. */

import { clip } from '../clip.js';

export interface Keyword {
  term: string;
  count: number;
  /** Count relative to the most frequent keyword, 0-1. */
  weight: number;
}

const WORD = /[\p{L}\p{N}][\p{L}\p{N}'’-]*/gu;
const SENTENCE_END = /(?<=[.!?])\s+/u;
const MIN_KEYWORD_LENGTH = 3;
const WORDS_PER_MINUTE = 200;
const MAX_SUMMARY_SENTENCE_CHARS = 300;

// A short list is enough for a demo; a real deployment would use a language-aware library.
const STOPWORDS = new Set(
  `a about above after again against all also am an and any are as at be because been before being below
  between both but by can could did do does doing down during each few for from further had has have having
  he her here hers herself him himself his how i if in into is it its itself just let me more most my myself
  no nor not now of off on once only or other our ours ourselves out over own same she should so some such
  than that the their theirs them themselves then there these they this those through to too under until up
  very was we were what when where which while who whom why will with would you your yours yourself`.split(/\s+/),
);

export function words(text: string): string[] {
  return text.match(WORD) ?? [];
}

export function sentences(text: string): string[] {
  return text
    .split(SENTENCE_END)
    .map((sentence) => sentence.replace(/\s+/g, ' ').trim())
    .filter((sentence) => words(sentence).length > 0);
}

export function keywords(text: string, limit: number): Keyword[] {
  const counts = new Map<string, number>();
  for (const word of words(text)) {
    const term = word.toLowerCase().replace(/['’]s$/u, '');
    if (term.length < MIN_KEYWORD_LENGTH || STOPWORDS.has(term) || /^\d+$/.test(term)) continue;
    counts.set(term, (counts.get(term) ?? 0) + 1);
  }
  const ranked = [...counts].sort(([a, countA], [b, countB]) => countB - countA || a.localeCompare(b)).slice(0, limit);
  const top = ranked[0]?.[1] ?? 1;
  return ranked.map(([term, count]) => ({ term, count, weight: Math.round((count / top) * 1000) / 1000 }));
}

/** The `limit` sentences that carry the most keyword weight, in their original order. */
export function extractiveSummary(text: string, ranked: Keyword[], limit: number): string {
  const weightOf = new Map(ranked.map((keyword) => [keyword.term, keyword.weight]));
  const scored = sentences(text).map((sentence, index) => {
    const terms = new Set(words(sentence).map((word) => word.toLowerCase()));
    let score = 0;
    for (const term of terms) score += weightOf.get(term) ?? 0;
    return { sentence, index, score };
  });
  return scored
    .sort((a, b) => b.score - a.score || a.index - b.index)
    .slice(0, limit)
    .sort((a, b) => a.index - b.index)
    .map(({ sentence }) =>
      clip(sentence, MAX_SUMMARY_SENTENCE_CHARS, '…'),
    )
    .join(' ');
}

export function readingTimeSeconds(wordCount: number): number {
  return Math.ceil((wordCount / WORDS_PER_MINUTE) * 60);
}

/** `1 word`, `2 words`, `0 words`: a count and its noun, for the text people read. */
export function counted(n: number, noun: string): string {
  return `${n} ${n === 1 ? noun : `${noun}s`}`;
}
