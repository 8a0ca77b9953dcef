// Bundles the Lambda handler and its lease thread into ESM entries (plus shared chunks) and a deterministic zip.
import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, readdir, readFile, rm } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { pipeline } from 'node:stream/promises';
import * as esbuild from 'esbuild';
import yazl from 'yazl';

/** Every entry gets this timestamp, so the same source always gives the same zip and hash. */
const FIXED_MTIME = new Date(Date.UTC(2020, 0, 1));
const FILE_MODE = 0o100644;

/**
 * SDK modules the function never runs, swapped for small stand-ins at bundle time. Each one was
 * measured (see BENCHMARKS.md): together they were 49 KiB of the zip and ~10 ms of every cold start.
 */
const STAND_INS = [
  {
    // The default credential chain (SSO, SSO-OIDC, STS web identity, sign-in, INI and process files,
    // IMDS, container HTTP) is 42 KiB of zipped code. The Lambda runtime hands a function its role's
    // credentials in AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY / AWS_SESSION_TOKEN, and the local
    // sandbox does the same, so the env provider alone is kept. Clients given explicit `credentials`
    // (the in-process local stack) never call this at all.
    filter: /^@aws-sdk\/credential-provider-node$/,
    contents: `
      import { fromEnv } from '@aws-sdk/credential-provider-env';
      export const defaultProvider = (init = {}) => {
        const provider = fromEnv(init);
        return async (options) => {
          try {
            return await provider(options);
          } catch (error) {
            throw new Error(
              'No AWS credentials in AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY: this bundle reads credentials from ' +
                'environment variables only, as the Lambda runtime sets them (other providers are left out by scripts/build/lambda.mjs)',
              { cause: error },
            );
          }
        };
      };`,
  },
  {
    // Parses a browser's user agent; only the SDK's browser build calls it, but its dynamic import
    // would put 7 KiB of zipped code in the bundle.
    filter: /^bowser$/,
    contents: `export const parse = () => ({}); export default { parse };`,
  },
  {
    // \`import { env } from 'node:process'\` makes Node build an ESM facade of \`process\`, which reads
    // every property, \`process.stdin\` included: that opens a stdin stream at every cold start
    // (~10 ms). The global is the same object, without the facade.
    filter: /^(node:)?process$/,
    contents: `const p = globalThis.process; export default p; export const { env, versions, platform, release } = p;`,
  },
];

const standIns = {
  name: 'stand-ins',
  setup(build) {
    for (const [index, { filter }] of STAND_INS.entries()) {
      build.onResolve({ filter }, (args) => ({ path: args.path, namespace: `stand-in-${index}` }));
      build.onLoad({ filter: /.*/, namespace: `stand-in-${index}` }, () => ({
        contents: STAND_INS[index].contents,
        loader: 'js',
        resolveDir: build.initialOptions.absWorkingDir ?? process.cwd(),
      }));
    }
  },
};

async function filesUnder(dir) {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath ?? entry.path, entry.name))
    .sort();
}

async function writeZip(sourceDir, zipPath) {
  const zip = new yazl.ZipFile();
  for (const file of await filesUnder(sourceDir)) {
    const name = relative(sourceDir, file).split(sep).join('/');
    // forceDosTimestamp: no extended-timestamp field, and DOS time is UTC-independent of the build machine's zone below.
    zip.addBuffer(await readFile(file), name, { mtime: FIXED_MTIME, mode: FILE_MODE, compressionLevel: 9, forceDosTimestamp: true });
  }
  zip.end();
  await pipeline(zip.outputStream, createWriteStream(zipPath));
}

export async function buildLambda({ root, outDir }) {
  const bundleDir = join(outDir, 'lambda');
  await rm(bundleDir, { recursive: true, force: true });
  await mkdir(bundleDir, { recursive: true });
  const result = await esbuild.build({
    // The lease keeper's thread is an entry of its own, beside index.mjs, sharing the SDK's chunks.
    entryPoints: { index: join(root, 'src/handler.ts'), 'lease-thread': join(root, 'src/requests/lease-thread.ts') },
    outdir: bundleDir,
    outExtension: { '.js': '.mjs' },
    chunkNames: 'chunks/[name]-[hash]',
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node22',
    // The SDK's ESM builds avoid `require` of node built-ins, which fails inside an ESM bundle.
    mainFields: ['module', 'main'],
    minify: true,
    legalComments: 'none',
    metafile: true,
    logLevel: 'warning',
    // Resolve the stand-ins' own imports from the project, whatever the caller's working directory.
    absWorkingDir: root,
    plugins: [standIns],
  });
  const zipPath = join(outDir, 'lambda.zip');
  await writeZip(bundleDir, zipPath);
  const zip = await readFile(zipPath);
  return {
    zipPath,
    zipBytes: zip.length,
    sha256: createHash('sha256').update(zip).digest('base64'),
    outputs: Object.keys(result.metafile.outputs).length,
  };
}
