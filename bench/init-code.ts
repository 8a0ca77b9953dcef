import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { gzipSync } from 'node:zlib';

/** Static imports in esbuild's minified ESM (`from"./chunks/x.mjs"`, `import"./x.mjs"`); `import("…")` is not one. */
const STATIC_IMPORT = /(?:\bfrom|\bimport)\s*"(\.\.?\/[^"]+)"/g;

/**
 * The bundle's code Node loads when Lambda imports the handler: `index.mjs` and every chunk it
 * imports statically, transitively; dynamic imports (the S3, Lambda and webhook code) load later.
 */
export function initCodeBytes(dir: string): { files: number; gzipBytes: number } {
  const seen = new Set<string>();
  const visit = (file: string) => {
    if (seen.has(file)) return;
    seen.add(file);
    const text = readFileSync(file, 'utf8');
    for (const match of text.matchAll(STATIC_IMPORT)) visit(join(dirname(file), match[1]!));
  };
  visit(join(dir, 'index.mjs'));
  let gzipBytes = 0;
  for (const file of seen) gzipBytes += gzipSync(readFileSync(file)).length;
  return { files: seen.size, gzipBytes };
}
