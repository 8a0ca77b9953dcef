import { HttpError, RequestFailedError, TimeoutError, createClient, type Client, type RequestView } from '../client/index.js';
import { USAGE, UsageError, parseCommandLine, type Command, type CommandLine } from './args.js';
import type { CliConfig } from './config.js';
import { ExitCode } from './exit-codes.js';
import { formatResult, formatView, progressBar, progressLine } from './render.js';

/** Where the CLI writes; the process's streams in production. */
export interface CliIo {
  stdout: { write(text: string): unknown };
  stderr: { write(text: string): unknown; isTTY?: boolean };
  /** Aborts a wait (Ctrl-C). */
  interrupt: AbortSignal;
}

/** Runs one CLI invocation and answers its exit status; never throws. */
export async function runCli(argv: readonly string[], config: CliConfig, io: CliIo): Promise<ExitCode> {
  let commandLine: CommandLine;
  try {
    commandLine = parseCommandLine(argv, config);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    io.stderr.write(`async-router: ${error.message}\nRun "async-router --help" for usage.\n`);
    return ExitCode.Usage;
  }
  if (commandLine.command.kind === 'help') {
    io.stdout.write(`${USAGE}\n`);
    return ExitCode.Ok;
  }
  const client = createClient({ baseUrl: commandLine.url, ...(commandLine.apiKey !== undefined ? { apiKey: commandLine.apiKey } : {}) });
  try {
    return await execute(client, commandLine.command, commandLine.json, io);
  } catch (error) {
    return report(error, commandLine.json, io);
  }
}

const print = (io: CliIo, json: boolean, document: unknown, text: string) => io.stdout.write(json ? `${JSON.stringify(document, null, 2)}\n` : `${text}\n`);

async function execute(client: Client, command: Exclude<Command, { kind: 'help' }>, json: boolean, io: CliIo): Promise<ExitCode> {
  switch (command.kind) {
    case 'status': {
      const view = await client.get(command.requestId, { signal: io.interrupt });
      print(io, json, view, formatView(view));
      return view.status === 'error' ? ExitCode.Failed : ExitCode.Ok;
    }
    case 'cancel': {
      const view = await client.cancel(command.requestId, { signal: io.interrupt });
      print(io, json, view, `cancelled  ${view.request_id}`);
      return ExitCode.Ok;
    }
    case 'submit': {
      const accepted = await client.submit(
        { prompt: command.prompt, ...(command.task !== undefined ? { task: command.task } : {}) },
        { signal: io.interrupt, ...(command.idempotencyKey !== undefined ? { idempotencyKey: command.idempotencyKey } : {}) },
      );
      if (!command.wait) {
        print(io, json, accepted, `accepted   ${accepted.request_id}\nstatus     ${accepted.status_url}`);
        return ExitCode.Ok;
      }
      if (!json) io.stderr.write(`accepted   ${accepted.request_id}\n`);
      const progress = createProgressReporter(io, json);
      try {
        const view = await client.wait(accepted, {
          signal: io.interrupt,
          onProgress: progress.update,
          ...(command.timeoutMs !== undefined ? { timeoutMs: command.timeoutMs } : {}),
        });
        progress.done();
        print(io, json, view, formatResult(view.result));
        return ExitCode.Ok;
      } finally {
        progress.done();
      }
    }
  }
}

/** A redrawn bar on a terminal; one line per change otherwise; nothing for `--json` into a pipe. */
function createProgressReporter(io: CliIo, json: boolean): { update(view: RequestView): void; done(): void } {
  const tty = io.stderr.isTTY === true;
  let drawn = false;
  return {
    update(view) {
      if (view.status === 'complete' || view.status === 'error') return;
      if (tty) {
        io.stderr.write(`\r\x1b[2K${progressBar(view)}`);
        drawn = true;
      } else if (!json) {
        io.stderr.write(`${progressLine(view)}\n`);
      }
    },
    done() {
      if (drawn) io.stderr.write('\r\x1b[2K');
      drawn = false;
    },
  };
}

function report(error: unknown, json: boolean, io: CliIo): ExitCode {
  if (error instanceof RequestFailedError) {
    if (json) io.stdout.write(`${JSON.stringify(error.view, null, 2)}\n`);
    io.stderr.write(`async-router: request ${error.request_id} failed (${error.error_code}): ${error.message}\n`);
    return ExitCode.Failed;
  }
  if (error instanceof TimeoutError) {
    const seconds = error.timeoutMs / 1000;
    io.stderr.write(`async-router: gave up after ${seconds} s; the request may still finish: async-router status ${error.requestId}\n`);
    return ExitCode.Timeout;
  }
  if (io.interrupt.aborted) {
    io.stderr.write('async-router: interrupted\n');
    return ExitCode.Interrupted;
  }
  if (error instanceof HttpError) {
    io.stderr.write(`async-router: ${error.message}\n`);
    return ExitCode.Failed;
  }
  const cause = (error as { cause?: { code?: string } }).cause?.code;
  io.stderr.write(`async-router: ${(error as Error).message}${cause !== undefined ? ` (${cause})` : ''}\n`);
  return ExitCode.Failed;
}
