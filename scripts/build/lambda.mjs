// Bundles the Lambda handler into one ESM entry (plus a lazily loaded chunk) and a deterministic zip.
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
    entryPoints: { index: join(root, 'src/handler.ts') },
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
