import { HttpError, NetworkError, RequestFailedError, TimeoutError, createClient, type Client, type RequestView } from '../client/index.js';
import { PROGRAM, USAGE, UsageError, parseCommandLine, type Command, type CommandLine } from './args.js';
import type { CliConfig } from '../config.js';
import { ExitCode } from './exit-codes.js';
import { formatCheck, runChecks } from './check.js';
import { follow } from './follow.js';
import type { CliIo } from './io.js';
import { formatOutcome, formatResult, formatView, progressBar, progressLine } from './render.js';
import { SaveFailure, checkWritable, saveOutput, type Saved } from './save.js';
import { runList } from './list-command.js';
import { runToken } from './token-command.js';

export type { CliIo } from './io.js';

/** Runs one CLI invocation and answers its exit status; never throws. */
export async function runCli(argv: readonly string[], config: CliConfig, io: CliIo): Promise<ExitCode> {
  let commandLine: CommandLine;
  try {
    commandLine = parseCommandLine(argv, config);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    io.stderr.write(`${PROGRAM}: ${error.message}\nRun "${PROGRAM} --help" for usage.\n`);
    return ExitCode.Usage;
  }
  if (commandLine.command.kind === 'help') {
    io.stdout.write(`${USAGE}\n`);
    return ExitCode.Ok;
  }
  if (commandLine.command.kind === 'check') return check(commandLine, commandLine.command, io);
  const client = createClient({
    baseUrl: commandLine.url,
    ...(commandLine.apiKey !== undefined ? { apiKey: commandLine.apiKey } : {}),
    ...(commandLine.token !== undefined ? { token: commandLine.token } : {}),
  });
  try {
    return await execute(client, commandLine.command, commandLine.json, io);
  } catch (error) {
    return report(error, commandLine.json, io);
  }
}

const print = (io: CliIo, json: boolean, document: unknown, text: string) => io.stdout.write(json ? `${JSON.stringify(document, null, 2)}\n` : `${text}\n`);

/**
 * `async-request-router check`: each check as a line on stdout as it ends (or one JSON document at the
 * end), a count on stderr; 0 only when every check passed.
 */
async function check(commandLine: CommandLine, command: Extract<Command, { kind: 'check' }>, io: CliIo): Promise<ExitCode> {
  let results;
  try {
    results = await runChecks({
      url: commandLine.url,
      apiKey: commandLine.apiKey,
      token: commandLine.token,
      timeoutMs: command.timeoutMs,
      origin: command.origin,
      signal: io.interrupt,
      ...(commandLine.json ? {} : { onResult: (result) => io.stdout.write(`${formatCheck(result)}\n`) }),
    });
  } catch (error) {
    return report(error, commandLine.json, io);
  }
  const failed = results.filter((result) => !result.ok).length;
  const ok = failed === 0;
  if (commandLine.json) io.stdout.write(`${JSON.stringify({ url: commandLine.url, ok, checks: results }, null, 2)}\n`);
  io.stderr.write(`${PROGRAM}: ${ok ? `all ${results.length} checks passed` : `${failed} of ${results.length} checks failed`} (${commandLine.url})\n`);
  return ok ? ExitCode.Ok : ExitCode.Failed;
}

async function execute(client: Client, command: Exclude<Command, { kind: 'help' | 'check' }>, json: boolean, io: CliIo): Promise<ExitCode> {
  switch (command.kind) {
    case 'list':
      return runList(client, command, json, io);
    case 'token':
      return runToken(command, json, io);
    case 'status': {
      if (command.follow) return await follow(client, command.requestId, json, io);
      const view = await client.get(command.requestId, { signal: io.interrupt });
      if (command.output === undefined) {
        print(io, json, view, formatView(view));
        return view.status === 'error' ? ExitCode.Failed : ExitCode.Ok;
      }
      if (view.status === 'error') throw new RequestFailedError(view);
      const saved = await saveOutput(client, view, command.output, io, json);
      print(io, json, { ...view, saved }, `${formatView(view)}\n${savedLine(saved)}`);
      return ExitCode.Ok;
    }
    case 'cancel': {
      const view = await client.cancel(command.requestId, { signal: io.interrupt });
      print(io, json, view, `cancelled  ${view.request_id}`);
      return ExitCode.Ok;
    }
    case 'submit': {
      if (command.output !== undefined) await checkWritable(command.output.file);
      const accepted = await client.submit(
        {
          prompt: command.prompt,
          ...(command.task !== undefined ? { task: command.task } : {}),
          ...(command.callbackUrl !== undefined ? { callback_url: command.callbackUrl } : {}),
        },
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
          // Saved to a file, a result too large to carry inline is streamed there, not read first.
          fetchResult: command.output === undefined,
          ...(command.timeoutMs !== undefined ? { timeoutMs: command.timeoutMs } : {}),
        });
        progress.done();
        if (command.output === undefined) {
          print(io, json, view, formatResult(view.result));
          return ExitCode.Ok;
        }
        const saved = await saveOutput(client, view, command.output, io, json);
        // Saving the result itself: its bytes are in the file, not worth printing again.
        const shown = saved.artifact !== null ? formatOutcome(view) : '';
        print(io, json, { ...view, saved }, `${shown}${shown !== '' ? '\n' : ''}${savedLine(saved)}`);
        return ExitCode.Ok;
      } finally {
        progress.done();
      }
    }
  }
}

const savedLine = (saved: Saved) => `saved ${saved.file} (${saved.bytes} bytes)`;

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

/** How a call ended when it did not succeed: an exit status, a line for people, a document for `--json`. */
function describeFailure(error: unknown, interrupted: boolean): { code: ExitCode; line: string; document: Record<string, unknown> } {
  if (error instanceof SaveFailure && !interrupted) return { code: ExitCode.Failed, line: error.message, document: error.document() };
  if (error instanceof RequestFailedError) {
    return { code: ExitCode.Failed, line: `request ${error.request_id} failed (${error.error_code}): ${error.message}`, document: { ...error.view } };
  }
  if (error instanceof TimeoutError) {
    const line = `gave up after ${error.timeoutMs / 1000} s; the request may still finish: ${PROGRAM} status ${error.requestId}`;
    return { code: ExitCode.Timeout, line, document: { error: 'timeout', message: line, request_id: error.requestId, last_view: error.lastView ?? null } };
  }
  if (interrupted) return { code: ExitCode.Interrupted, line: 'interrupted', document: { error: 'interrupted' } };
  if (error instanceof HttpError) {
    return { code: ExitCode.Failed, line: error.message, document: { error: 'http', message: error.message, status: error.status, error_code: error.code ?? null, body: error.body } };
  }
  if (error instanceof NetworkError) {
    return { code: ExitCode.Failed, line: error.message, document: { error: 'network', message: error.message, code: error.code ?? null } };
  }
  const message = error instanceof Error ? error.message : String(error);
  return { code: ExitCode.Failed, line: message, document: { error: 'unexpected', message } };
}

function report(error: unknown, json: boolean, io: CliIo): ExitCode {
  const { code, line, document } = describeFailure(error, io.interrupt.aborted);
  if (json) io.stdout.write(`${JSON.stringify(document, null, 2)}\n`);
  io.stderr.write(`${PROGRAM}: ${line}\n`);
  return code;
}
