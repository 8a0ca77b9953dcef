import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { median } from './stats.js';

export interface ColdImportFigures {
  runs: number;
  bareMs: number;
  importMs: number;
  ratio: number;
  /** The same DynamoDB calls bundled plainly (esbuild defaults that work), timed in the same loop. */
  plainMs: number;
  plainRatio: number;
}

/** What the function's init needs: the variables Terraform sets, and what the Lambda runtime adds. */
const FUNCTION_ENV = {
  REQUESTS_TABLE: 'bench-requests',
  REQUEST_ID_SECRET: 'bench-secret-bench-secret-bench-secret',
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
 * Wall time of `node -e "import('<bundle>')"` against bare `node -e 0` and against a plain SDK
 * bundle, rotated run by run. All get the same environment, with no NODE_OPTIONS (nor
 * NODE_EXTRA_CA_CERTS, which alone adds tens of ms to every start), so the only difference is the import.
 */
export async function measureColdImport(bundle: string, plainBundle: string, runs: number): Promise<ColdImportFigures> {
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, ...FUNCTION_ENV };
  const importOf = (file: string) => ['-e', `import(${JSON.stringify(pathToFileURL(file).href)})`];
  const kinds = [
    { args: ['-e', '0'], times: [] as number[] },
    { args: importOf(bundle), times: [] as number[] },
    { args: importOf(plainBundle), times: [] as number[] },
  ];
  for (let warm = 0; warm < 3; warm += 1) for (const kind of kinds.slice(1)) await timeNode(kind.args, env);
  for (let run = 0; run < runs; run += 1) {
    for (let offset = 0; offset < kinds.length; offset += 1) {
      const kind = kinds[(run + offset) % kinds.length]!;
      kind.times.push(await timeNode(kind.args, env));
    }
  }
  const [bareMs, importMs, plainMs] = kinds.map((kind) => median(kind.times)) as [number, number, number];
  return { runs, bareMs, importMs, ratio: importMs / bareMs, plainMs, plainRatio: plainMs / bareMs };
}

/** Bundles {@link plain-sdk-entry.ts} the plain way: one ESM file, minified, no stand-ins, no splitting. */
export async function buildPlainSdkBundle(root: string, outFile: string): Promise<void> {
  const esbuild = await import('esbuild');
  await esbuild.build({
    entryPoints: [join(root, 'bench/plain-sdk-entry.ts')],
    outfile: outFile,
    bundle: true,
    format: 'esm',
    platform: 'node',
    target: 'node22',
    mainFields: ['module', 'main'],
    minify: true,
    logLevel: 'warning',
    absWorkingDir: root,
  });
}
