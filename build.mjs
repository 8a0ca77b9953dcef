// `npm run build`: the Lambda zip, plus the demo page and the client when their sources exist.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildLambda } from './scripts/build/lambda.mjs';

// DOS timestamps in the zip are local time; pin the zone so every machine writes the same bytes.
process.env.TZ = 'UTC';

const root = dirname(fileURLToPath(import.meta.url));
const outDir = join(root, 'dist');

const lambda = await buildLambda({ root, outDir });
console.log(`dist/lambda.zip  ${(lambda.zipBytes / 1024).toFixed(1)} KiB  sha256 ${lambda.sha256}`);

for (const part of ['web', 'client']) {
  const builder = join(root, 'scripts/build', `${part}.mjs`);
  if (!existsSync(builder)) continue;
  const { build } = await import(builder);
  const summary = await build({ root, outDir });
  console.log(`dist/${part}  ${summary}`);
}
