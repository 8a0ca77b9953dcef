import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '../support/stack.js';

/** One fenced code block of a Markdown file: its language tag, its text, the line it starts on. */
export interface CodeBlock {
  lang: string;
  code: string;
  line: number;
}

/** The fenced code blocks of README.md (or another file of the repository), in order. */
export function readmeBlocks(file = 'README.md'): CodeBlock[] {
  const text = readFileSync(join(REPO_ROOT, file), 'utf8');
  const blocks: CodeBlock[] = [];
  for (const match of text.matchAll(/^```(\w*)\n([\s\S]*?)^```$/gm)) {
    blocks.push({ lang: match[1]!, code: match[2]!, line: text.slice(0, match.index).split('\n').length });
  }
  return blocks;
}

/** The one README block of `lang` that starts with `start`; throws, naming it, when there is none. */
export function readmeBlock(lang: string, start: string): CodeBlock {
  const block = readmeBlocks().find((each) => each.lang === lang && each.code.startsWith(start));
  if (block === undefined) throw new Error(`README.md has no \`\`\`${lang} block starting with ${start}`);
  return block;
}
