import { loadCliConfig } from '../config.js';
import { runCli } from './run.js';

// The `async-request-router` command (dist/cli.mjs). Ctrl-C stops waiting; the request itself runs on.
const interrupt = new AbortController();
process.once('SIGINT', () => interrupt.abort());

const code = await runCli(process.argv.slice(2), loadCliConfig(process.env), {
  stdout: process.stdout,
  stderr: process.stderr,
  interrupt: interrupt.signal,
});
process.exitCode = code;
