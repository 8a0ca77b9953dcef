import { spawn } from 'node:child_process';
import { pathToFileURL } from 'node:url';
import { median } from './stats.js';

export interface ColdImportFigures {
  runs: number;
  bareMs: number;
  importMs: number;
  ratio: number;
}

/** What the function's init needs: the variables Terraform sets, and what the Lambda runtime adds. */
const FUNCTION_ENV = {
  REQUESTS_TABLE: 'bench-requests',
  AWS_REGION: 'us-east-1',
  AWS_ACCESS_KEY_ID: 'bench',
  AWS_SECRET_ACCESS_KEY: 'bench',
  AWS_LAMBDA_FUNCTION_NAME: 'async-router',
};

function timeNode(args: string[], env: NodeJS.ProcessEnv): Promise<number> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, args, { env, stdio: 'ignore' });
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve(performance.now() - started) : reject(new Error(`node ${args.join(' ')} exited ${code}`))));
  });
}

/**
 * Wall time of `node -e "import('<bundle>')"` against bare `node -e 0`, alternated run by run.
 * Both get the same environment, with no NODE_OPTIONS, so the only difference is the import.
 */
export async function measureColdImport(bundle: string, runs: number): Promise<ColdImportFigures> {
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, ...FUNCTION_ENV };
  const importArgs = ['-e', `import(${JSON.stringify(pathToFileURL(bundle).href)})`];
  const bare: number[] = [];
  const imported: number[] = [];
  for (let warm = 0; warm < 3; warm += 1) await timeNode(importArgs, env);
  for (let run = 0; run < runs; run += 1) {
    if (run % 2 === 0) {
      bare.push(await timeNode(['-e', '0'], env));
      imported.push(await timeNode(importArgs, env));
    } else {
      imported.push(await timeNode(importArgs, env));
      bare.push(await timeNode(['-e', '0'], env));
    }
  }
  return { runs, bareMs: median(bare), importMs: median(imported), ratio: median(imported) / median(bare) };
}
