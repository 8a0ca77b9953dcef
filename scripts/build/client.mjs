// The client package (dist/client: ESM for browsers and Node, with declarations) and the CLI (dist/cli.mjs).
import { spawnSync } from 'node:child_process';
import { chmod, mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { build as esbuild } from 'esbuild';

const kib = async (file) => `${((await stat(file)).size / 1024).toFixed(1)} KiB`;

/**
 * Declarations for src/client and the contract it shares with the function (src/contract.ts),
 * from a throwaway tsconfig so the repo's own stays noEmit: dist/client/client/index.d.ts.
 */
async function emitDeclarations(root, clientDir) {
  const scratch = await mkdtemp(join(tmpdir(), 'client-dts-'));
  const tsconfig = join(scratch, 'tsconfig.json');
  await writeFile(
    tsconfig,
    JSON.stringify({
      compilerOptions: {
        target: 'ES2022',
        module: 'NodeNext',
        moduleResolution: 'NodeNext',
        lib: ['ES2023', 'DOM'],
        strict: true,
        declaration: true,
        emitDeclarationOnly: true,
        skipLibCheck: true,
        types: [],
        rootDir: join(root, 'src'),
        outDir: clientDir,
      },
      include: [join(root, 'src/client/**/*.ts'), join(root, 'src/contract.ts'), join(root, 'src/delay.ts')],
    }),
  );
  try {
    const tsc = spawnSync(process.execPath, [join(root, 'node_modules/.bin/tsc'), '-p', tsconfig], { encoding: 'utf8' });
    if (tsc.status !== 0) throw new Error(`tsc --declaration failed:\n${tsc.stdout}${tsc.stderr}`);
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

export async function build({ root, outDir }) {
  const clientDir = resolve(outDir, 'client');
  await rm(clientDir, { recursive: true, force: true });
  await esbuild({
    entryPoints: [join(root, 'src/client/index.ts')],
    outfile: join(clientDir, 'index.js'),
    bundle: true,
    format: 'esm',
    platform: 'neutral',
    target: 'es2022',
    minify: false,
    logLevel: 'warning',
  });
  await emitDeclarations(root, clientDir);

  const cli = join(outDir, 'cli.mjs');
  await esbuild({
    entryPoints: [join(root, 'src/cli/main.ts')],
    outfile: cli,
    bundle: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    banner: { js: '#!/usr/bin/env node' },
    logLevel: 'warning',
  });
  await chmod(cli, 0o755);
  return `index.js ${await kib(join(clientDir, 'index.js'))} + client/index.d.ts; dist/cli.mjs ${await kib(cli)}`;
}
