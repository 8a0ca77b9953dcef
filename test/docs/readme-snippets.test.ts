import { spawnSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { REPO_ROOT, ensureBuilt } from '../support/stack.js';
import { readmeBlocks } from './readme-blocks.js';

const TSC = join(REPO_ROOT, 'node_modules', '.bin', 'tsc');

/**
 * The README's own TypeScript and JavaScript, type-checked as printed. Each block is a module of
 * its own in a folder inside the repository, so `async-request-router/client` resolves as the
 * package itself (its `exports`, the built types in dist/client), as it does for a project that
 * installed it. The task examples sit in src/tasks/ in the README: their `./task.js` is that one.
 * `@aws-sdk/client-bedrock-runtime` is not a dependency of the project; the two calls the
 * examples make are declared in bedrock-runtime.d.ts with the SDK's own shapes.
 */
describe("the README's TypeScript and JavaScript blocks", () => {
  const dir = join(REPO_ROOT, 'test-results', `readme-snippets-${process.pid}`);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('type-check as printed, each a module of its own', () => {
    ensureBuilt();
    const blocks = readmeBlocks().filter((block) => ['ts', 'js'].includes(block.lang));
    mkdirSync(dir, { recursive: true });
    const files = blocks.map((block) => {
      const file = `readme-line-${block.line}.${block.lang === 'ts' ? 'ts' : 'mjs'}`;
      writeFileSync(join(dir, file), block.code);
      return file;
    });
    writeFileSync(join(dir, 'task.ts'), "export * from '../../src/tasks/task.js';\n");
    writeFileSync(join(dir, 'bedrock-runtime.d.ts'), BEDROCK_TYPES);
    const compilerOptions = {
      noEmit: true,
      strict: true,
      allowJs: true, // JavaScript is parsed, not typed; the receiver is run by readme-receiver.test.ts
      module: 'nodenext',
      moduleResolution: 'nodenext',
      target: 'es2022',
      lib: ['es2023', 'dom'],
      types: ['node'],
      typeRoots: [join(REPO_ROOT, 'node_modules', '@types')],
      skipLibCheck: true,
      paths: { '@aws-sdk/client-bedrock-runtime': ['./bedrock-runtime.d.ts'] },
    };
    writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({ compilerOptions, files }));

    const run = spawnSync(process.execPath, [TSC, '-p', 'tsconfig.json'], { cwd: dir, encoding: 'utf8' });

    expect(blocks.length).toBeGreaterThanOrEqual(5);
    expect(run.stdout + run.stderr).toBe('');
    expect(run.status).toBe(0);
  });
});

/** The part of @aws-sdk/client-bedrock-runtime the README's tasks use, as the SDK types it. */
const BEDROCK_TYPES = `
export interface ContentBlock { text?: string }
export interface Message { role: 'user' | 'assistant'; content: ContentBlock[] }
export interface ConverseCommandInput { modelId: string; messages?: Message[] }
export interface ConverseCommandOutput { output?: { message?: Message } }
export declare class ConverseCommand { constructor(input: ConverseCommandInput); readonly input: ConverseCommandInput }
export declare class BedrockRuntimeClient {
  constructor(config?: { region?: string });
  send(command: ConverseCommand, options?: { abortSignal?: AbortSignal }): Promise<ConverseCommandOutput>;
}
`;
