// `npm run bench:view`: only the largest-view figure of `npm run bench`, printed, BENCHMARKS.md left alone.
import { measureWorstView, worstViewRow } from './view.js';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
const row = worstViewRow(await measureWorstView(Number(process.argv[2] ?? 20)));
console.log(`| ${row.figure} | ${row.measured} | ${row.target} | ${row.met ? 'yes' : '**NO**'} |`);
process.exit(row.met ? 0 : 1);
