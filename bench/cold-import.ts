import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { startSsm } from '../src/local/ssm-server.js';
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

export interface SecretsReadFigures {
  runs: number;
  /** Cold import with the secrets given directly (no SSM client loaded, no call). */
  plainMs: number;
  /** Cold import with the secrets named by their parameters, read from the local SSM endpoint. */
  ssmMs: number;
}

/**
 * What reading the secrets from SSM adds to a cold start (the SSM client's import and one
 * GetParameters call to the local endpoint): the bundle's cold import with the secrets given
 * directly against the same with their parameters named, rotated run by run.
 */
export async function measureSecretsRead(bundle: string, runs: number): Promise<SecretsReadFigures> {
  const ssm = await startSsm({ '/bench/request-id-secret': FUNCTION_ENV.REQUEST_ID_SECRET });
  try {
    const { REQUEST_ID_SECRET: _given, ...rest } = FUNCTION_ENV;
    const args = ['-e', `import(${JSON.stringify(pathToFileURL(bundle).href)})`];
    const kinds = [
      { env: { PATH: process.env.PATH, ...FUNCTION_ENV }, times: [] as number[] },
      { env: { PATH: process.env.PATH, ...rest, REQUEST_ID_SECRET_PARAMETER: '/bench/request-id-secret', SSM_ENDPOINT: ssm.endpoint }, times: [] as number[] },
    ];
    for (let warm = 0; warm < 3; warm += 1) for (const kind of kinds) await timeNode(args, kind.env);
    for (let run = 0; run < runs; run += 1) {
      for (let offset = 0; offset < kinds.length; offset += 1) {
        const kind = kinds[(run + offset) % kinds.length]!;
        kind.times.push(await timeNode(args, kind.env));
      }
    }
    const [plainMs, ssmMs] = kinds.map((kind) => median(kind.times)) as [number, number];
    return { runs, plainMs, ssmMs };
  } finally {
    await ssm.stop();
  }
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
