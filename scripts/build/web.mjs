// The demo page (dist/web): app.ts bundled for browsers, the static files, and the OpenAPI document.
import { copyFile, mkdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { build as esbuild } from 'esbuild';

const STATIC_FILES = ['index.html', 'styles.css'];

export async function build({ root, outDir }) {
  const webDir = join(outDir, 'web');
  await rm(webDir, { recursive: true, force: true });
  await mkdir(webDir, { recursive: true });
  await esbuild({
    entryPoints: [join(root, 'src/web/app.ts')],
    outfile: join(webDir, 'app.js'),
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: ['es2022', 'chrome100', 'firefox100', 'safari15'],
    minify: true,
    sourcemap: false,
    logLevel: 'warning',
  });
  for (const file of STATIC_FILES) await copyFile(join(root, 'src/web', file), join(webDir, file));
  await copyFile(join(root, 'openapi/v1.yaml'), join(webDir, 'openapi.yaml'));
  const kib = ((await stat(join(webDir, 'app.js'))).size / 1024).toFixed(1);
  return `app.js ${kib} KiB, ${STATIC_FILES.join(', ')}, openapi.yaml`;
}
