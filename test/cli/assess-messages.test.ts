import { describe, expect, it } from 'vitest';
import type { Progress } from '../../src/contract.js';
import { createAssessTask } from '../../src/tasks/assess.js';

/** The progress messages the assess task reports for `prompt` (what `async-request-router submit --wait` prints). */
async function messagesFor(prompt: string): Promise<string[]> {
  const reported: Progress[] = [];
  const files = { put: () => Promise.reject(new Error('the assess task writes no files')) };
  const steps = { step: <T>(_name: string, run: () => Promise<T>) => run(), continueLater: () => {}, emit: () => {} };
  await createAssessTask(0).run({ input: { prompt }, signal: new AbortController().signal, reportProgress: (progress) => reported.push(progress), files, ...steps });
  return reported.map((progress) => progress.message);
}

describe('assess progress messages count in proper English', () => {
  it('one word in one sentence, one keyword', async () => {
    const messages = await messagesFor('Hello');
    expect(messages).toContain('Counted 1 word in 1 sentence');
    expect(messages).toContain('Weighed 1 keyword');
    expect(messages.join('\n')).not.toMatch(/\b1 (words|sentences|keywords)\b/);
  });

  it('several of each keep the plural', async () => {
    const messages = await messagesFor('Queues decouple producers from consumers. Workers pull jobs at their own pace.');
    expect(messages).toContain('Counted 12 words in 2 sentences');
    expect(messages).toContain('Weighed 8 keywords');
  });

  it('none is plural too', async () => {
    const messages = await messagesFor('It is what it is.');
    expect(messages).toContain('Weighed 0 keywords');
  });
});
