import { describe, expect, it } from 'vitest';
import { extractiveSummary, keywords, readingTimeSeconds, sentences, words } from '../../src/tasks/text-analysis.js';

const text = 'Lambda runs code. Lambda scales to zero! Does DynamoDB store the results? DynamoDB stores results and Lambda reads them.';

describe('text analysis', () => {
  it('counts words and sentences, keeping contractions and Unicode letters whole', () => {
    expect(words("Don't stop — café 42")).toEqual(["Don't", 'stop', 'café', '42']);
    expect(sentences(text)).toHaveLength(4);
    expect(sentences('no terminator here')).toEqual(['no terminator here']);
  });

  it('ranks keywords by count without stopwords, weights relative to the top one', () => {
    const ranked = keywords(text, 3);
    expect(ranked[0]).toEqual({ term: 'lambda', count: 3, weight: 1 });
    expect(ranked[1]).toEqual({ term: 'dynamodb', count: 2, weight: 0.667 });
    expect(ranked.map((keyword) => keyword.term)).not.toContain('the');
  });

  it('summarises with the heaviest sentences in their original order', () => {
    const summary = extractiveSummary(text, keywords(text, 8), 2);
    expect(summary).toBe('Does DynamoDB store the results? DynamoDB stores results and Lambda reads them.');
  });

  it('estimates reading time at 200 words a minute', () => {
    expect(readingTimeSeconds(200)).toBe(60);
    expect(readingTimeSeconds(1)).toBe(1);
  });
});
