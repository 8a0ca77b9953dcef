import { basename } from 'node:path';
import { parseArgs } from 'node:util';
import { DEFAULT_LIST_LIMIT, DEFAULT_TASK, TASK_NAMES, type TaskName } from '../contract.js';
import type { CliConfig } from '../config.js';
import { DEFAULT_CHECK_ORIGIN, DEFAULT_CHECK_TIMEOUT_SECONDS } from './check.js';
import { UsageError } from './usage-error.js';
import { parseListCommand, type ListCommand } from './list-command.js';
import { parseTokenCommand, type TokenCommand } from './token-command.js';

const TASK_OPTION = `${TASK_NAMES.join(' | ')} (default ${DEFAULT_TASK})`;

/** The command's name, as package.json's `bin` installs it: `async-router` on the registry is someone else's. */
export const PROGRAM = 'async-request-router';

export const USAGE = `Usage: ${PROGRAM} <command> [options]

Commands:
  submit "prompt"   start a request (prints its id, or its result with --wait)
  status <id>       show a request (--output: save its result; --artifact: a file;
                    --follow: print its live output as it is written)
  cancel <id>       cancel a pending or running request
  list              your requests, newest first: id, status, task, created, progress
  token --sub S     print a signed-in user's token from the local issuer
                    (AUTH=jwt npm start); export it as ASYNC_ROUTER_TOKEN
  check             post-deploy check of the API at --url: CORS preflight, submit,
                    long-poll, cancel, unknown id, wrong method, CORS headers;
                    one line each, PASS <name> or FAIL <name>: <reason>

Options:
  --task T               ${TASK_OPTION.padEnd(52)}[submit]
  --wait                 wait for the result, showing progress               [submit]
  --timeout SECONDS      give up waiting after this long (implies --wait)    [submit]
                         ${`how long check waits for its request (default ${DEFAULT_CHECK_TIMEOUT_SECONDS})`.padEnd(52)}[check]
  --idempotency-key K    same key and prompt: same request, started once     [submit]
  --callback-url URL     POST the ended request there, signed (webhooks)     [submit]
  -o, --output FILE      save the request's result (JSON) to FILE, streamed;
                         with --artifact, save that file there instead;
                         a progress bar on a terminal; implies --wait        [submit status]
  --artifact NAME        save the request's file NAME (to --output FILE, else
                         to NAME in the current folder); implies --wait      [submit status]
  -f, --follow           print the request's output as it arrives (reconnects
                         by itself), progress on stderr, until it ends      [status]
  --origin ORIGIN        ${`Origin to send (default ${DEFAULT_CHECK_ORIGIN})`.padEnd(52)}[check]
                         (with cors_allow_origins set: one of those)
  --status S             only requests in status S (pending, processing,
                         complete, error)                                    [list]
  --limit N              ${`show the newest N (default ${DEFAULT_LIST_LIMIT})`.padEnd(52)}[list]
  --sub S                the user the token is for                           [token]
  --aud A                its audience (default: the local stack's)           [token]
  --ttl SECONDS          how long it lives (default 3600)                    [token]
  --issuer URL           the issuer to ask (env ASYNC_ROUTER_ISSUER, default
                         the --url's port + 4 on 127.0.0.1)                  [token]
  --url URL              API base URL (env ASYNC_ROUTER_URL, default http://127.0.0.1:3000)
  --key API_KEY          API Gateway key, sent as x-api-key (env ASYNC_ROUTER_API_KEY)
  --token TOKEN          a signed-in user's token, sent as Authorization: Bearer
                         (env ASYNC_ROUTER_TOKEN)
  --json                 print one JSON document instead of text
  -h, --help             show this help

Exit status: 0 done (check: every check passed), 1 request failed, API error,
download failed or a check failed, 2 usage error, 3 timed out, 130 interrupted.`;

export type Command =
  | { kind: 'help' }
  | {
      kind: 'submit';
      prompt: string;
      task: TaskName | undefined;
      wait: boolean;
      timeoutMs: number | undefined;
      idempotencyKey: string | undefined;
      callbackUrl: string | undefined;
      output: Output | undefined;
    }
  | { kind: 'status'; requestId: string; output: Output | undefined; follow: boolean }
  | { kind: 'cancel'; requestId: string }
  | { kind: 'check'; timeoutMs: number; origin: string }
  | ListCommand
  | TokenCommand;

/** `--output FILE` and `--artifact NAME`: where to save which bytes of a complete request. */
export interface Output {
  file: string;
  /** The file to save; without it, the request's result as JSON. */
  artifact: string | undefined;
}

/** What the command line asks for. */
export interface CommandLine {
  command: Command;
  url: string;
  apiKey: string | undefined;
  token: string | undefined;
  json: boolean;
}

const isTaskName = (name: string): name is TaskName => (TASK_NAMES as readonly string[]).includes(name);

export { UsageError } from './usage-error.js';

/** Options and the commands they apply to; any other command refuses them. */
const OPTION_COMMANDS = {
  task: ['submit'],
  wait: ['submit'],
  timeout: ['submit', 'check'],
  'idempotency-key': ['submit'],
  'callback-url': ['submit'],
  output: ['submit', 'status'],
  artifact: ['submit', 'status'],
  follow: ['status'],
  origin: ['check'],
  status: ['list'],
  limit: ['list'],
  sub: ['token'],
  aud: ['token'],
  ttl: ['token'],
  issuer: ['token'],
} as const satisfies Record<string, readonly string[]>;

function timeoutMs(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const seconds = Number(value);
  if (value.trim() === '' || !Number.isFinite(seconds) || seconds <= 0) throw new UsageError('--timeout must be a positive number of seconds');
  return seconds * 1000;
}

/** The API's URL must be absolute http(s), e.g. Terraform's api_base_url; anything else is a typo. */
function checkUrl(url: string, source: string): void {
  let parsed: URL | undefined;
  try {
    parsed = new URL(url);
  } catch {
    parsed = undefined;
  }
  if (parsed === undefined || !/^https?:$/.test(parsed.protocol)) {
    throw new UsageError(`${source} must be an http(s) URL such as https://abc123.execute-api.eu-west-1.amazonaws.com/api, not "${url}"`);
  }
}

/**
 * The base URL the routes hang off. A URL copied with the API's version at its end
 * (`…/api/v1`) names the same API; the CLI adds `/v1/…` itself.
 */
function apiBaseUrl(url: string): string {
  return url.replace(/\/v1\/*$/, '');
}

/** An origin as browsers send it: scheme, host and port only. */
function parseOrigin(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new UsageError(`--origin must be an origin such as https://app.example.com, not "${value}"`);
  }
  if (!/^https?:$/.test(url.protocol) || value.replace(/\/$/, '') !== url.origin) {
    throw new UsageError(`--origin must be an origin such as https://app.example.com (scheme and host, no path), not "${value}"`);
  }
  return url.origin;
}

/**
 * `--output FILE` alone: the result's JSON. `--artifact NAME`: that file, into `--output FILE` if
 * given, else into NAME's last segment in the current folder.
 */
function parseOutput(file: string | undefined, artifact: string | undefined): Output | undefined {
  if (file !== undefined && file.trim() === '') throw new UsageError('--output needs a file name');
  if (artifact === undefined) return file === undefined ? undefined : { file, artifact };
  const ownName = basename(artifact);
  if (artifact.trim() === '' || ownName === '.' || ownName === '..') throw new UsageError('--artifact needs a file name, as the request lists it');
  return { file: file ?? ownName, artifact };
}

/** Turns the argument list into what to do, or throws {@link UsageError}. */
/** `submit PROMPT [--task T] [--wait] [--timeout S] [--idempotency-key K] [--callback-url U]`. */
function parseSubmitCommand(
  rest: readonly string[],
  values: { task?: string | undefined; wait?: boolean | undefined; timeout?: string | undefined; 'idempotency-key'?: string | undefined; 'callback-url'?: string | undefined },
  output: Output | undefined,
): Command {
  if (rest.length !== 1 || rest[0]!.trim() === '') throw new UsageError('submit takes one non-empty prompt; quote it: submit "your text"');
  const task = values.task;
  if (task !== undefined && !isTaskName(task)) throw new UsageError(`--task must be one of: ${TASK_NAMES.join(', ')}`);
  const timeout = timeoutMs(values.timeout);
  return {
    kind: 'submit',
    prompt: rest[0]!,
    task,
    wait: (values.wait ?? false) || timeout !== undefined || output !== undefined,
    timeoutMs: timeout,
    idempotencyKey: values['idempotency-key'],
    callbackUrl: values['callback-url'],
    output,
  };
}

/** Every option of every command; OPTION_COMMANDS says which command takes which. */
const OPTIONS = {
  task: { type: 'string' },
  wait: { type: 'boolean' },
  timeout: { type: 'string' },
  'idempotency-key': { type: 'string' },
  'callback-url': { type: 'string' },
  output: { type: 'string', short: 'o' },
  artifact: { type: 'string' },
  follow: { type: 'boolean', short: 'f' },
  origin: { type: 'string' },
  status: { type: 'string' },
  limit: { type: 'string' },
  sub: { type: 'string' },
  aud: { type: 'string' },
  ttl: { type: 'string' },
  issuer: { type: 'string' },
  url: { type: 'string' },
  key: { type: 'string' },
  token: { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

export function parseCommandLine(argv: readonly string[], config: CliConfig): CommandLine {
  let parsed;
  try {
    parsed = parseArgs({ args: [...argv], allowPositionals: true, strict: true, options: OPTIONS });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const { values, positionals } = parsed;
  const base = { url: apiBaseUrl(values.url ?? config.url), apiKey: values.key ?? config.apiKey, token: values.token ?? config.token, json: values.json ?? false };
  if (values.help) return { ...base, command: { kind: 'help' } };
  checkUrl(base.url, values.url !== undefined ? '--url' : 'ASYNC_ROUTER_URL');

  const [name, ...rest] = positionals;
  if (name === undefined) throw new UsageError('missing command (submit, status, cancel, list, token or check)');
  for (const [option, commands] of Object.entries(OPTION_COMMANDS)) {
    if (values[option as keyof typeof OPTION_COMMANDS] !== undefined && !(commands as readonly string[]).includes(name)) {
      throw new UsageError(`--${option} only applies to ${commands.join(' and ')}`);
    }
  }
  const output = parseOutput(values.output, values.artifact);
  switch (name) {
    case 'submit':
      return { ...base, command: parseSubmitCommand(rest, values, output) };
    case 'check':
      if (rest.length !== 0) throw new UsageError('check takes no arguments; name the API with --url');
      return {
        ...base,
        command: {
          kind: 'check',
          timeoutMs: timeoutMs(values.timeout) ?? DEFAULT_CHECK_TIMEOUT_SECONDS * 1000,
          origin: values.origin !== undefined ? parseOrigin(values.origin) : DEFAULT_CHECK_ORIGIN,
        },
      };
    case 'list':
      return { ...base, command: parseListCommand(rest, values) };
    case 'token':
      return { ...base, command: parseTokenCommand(rest, values, { issuer: config.issuer, apiUrl: base.url }) };
    case 'status':
      if (rest.length !== 1) throw new UsageError(`${name} takes one request id`);
      if (values.follow && output !== undefined) throw new UsageError('--follow prints the output as it comes: leave out --output and --artifact');
      return { ...base, command: { kind: name, requestId: rest[0]!, output, follow: values.follow ?? false } };
    case 'cancel':
      if (rest.length !== 1) throw new UsageError(`${name} takes one request id`);
      return { ...base, command: { kind: name, requestId: rest[0]! } };
    default:
      throw new UsageError(`unknown command "${name}" (expected submit, status, cancel, list, token or check)`);
  }
}
