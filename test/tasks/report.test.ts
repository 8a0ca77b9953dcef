import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { RequestInput } from '../../src/requests/model.js';
import { createReportTask } from '../../src/tasks/report.js';
import type { TaskContext } from '../../src/tasks/task.js';

/** Runs the report task on `prompt` and answers the HTML it wrote, read as the bucket would get it. */
async function reportFor(prompt: string, minMb: number): Promise<string> {
  let html = '';
  const context: TaskContext = {
    input: { prompt, task: 'report' } as RequestInput,
    signal: new AbortController().signal,
    reportProgress: () => {},
    emit: () => {},
    files: {
      put: async (name, body) => {
        for await (const chunk of body instanceof Readable ? body : Readable.from([body])) html += chunk;
        return { name, size: Buffer.byteLength(html) };
      },
    },
    step: (_name, run) => run(),
    continueLater: () => {},
  };
  await createReportTask(0, minMb).run(context);
  return html;
}

describe('the report task', () => {
  it('counts in words a person writes: "1 sentence", "1 word", never "1 sentences"', async () => {
    const html = await reportFor('Hello.', 0.001);

    expect(html).toContain('<p>1 word in 1 sentence, about');
    expect(html).toContain('<p>1 word, keyword weight');
    expect(html).not.toMatch(/\b1 (words|sentences)\b/);
  });

  it('counts several in the plural', async () => {
    const html = await reportFor('Serverless functions scale to zero. They cost nothing when idle.', 0);

    expect(html).toContain('<p>10 words in 2 sentences, about');
  });
});
