import type { Client } from '../client/index.js';
import type { CliIo } from './io.js';
import { ExitCode } from './exit-codes.js';

/**
 * `status ID --follow`: the request's output on stdout as it arrives (reconnecting by itself), its
 * status and progress on stderr, and how it ended; with `--json`, every event as one JSON line.
 */
export async function follow(client: Client, requestId: string, json: boolean, io: CliIo): Promise<ExitCode> {
  let wroteOutput = false;
  for await (const event of client.events(requestId, { signal: io.interrupt })) {
    if (json) {
      io.stdout.write(`${JSON.stringify(event)}\n`);
    } else if (event.event === 'output') {
      io.stdout.write(event.data.text);
      wroteOutput = true;
    } else if (event.event === 'progress') {
      io.stderr.write(`${event.data.percent}%  ${event.data.message}\n`);
    } else if (event.event === 'status') {
      io.stderr.write(`${event.data.status}\n`);
    }
    if (event.event !== 'end') continue;
    if (!json) {
      if (wroteOutput) io.stdout.write('\n');
      const view = event.data;
      io.stderr.write(view.status === 'error' ? `error  ${view.error_code ?? ''}: ${view.error ?? ''}\n` : `${view.status}\n`);
    }
    return event.data.status === 'error' ? ExitCode.Failed : ExitCode.Ok;
  }
  return ExitCode.Ok;
}
