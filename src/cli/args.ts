import { parseArgs } from 'node:util';
import { DEFAULT_TASK, TASK_NAMES, type TaskName } from '../contract.js';
import type { CliConfig } from '../config.js';

const TASK_OPTION = `${TASK_NAMES.join(' | ')} (default ${DEFAULT_TASK})`;

export const USAGE = `Usage: async-router <command> [options]

Commands:
  submit "prompt"   start a request (prints its id, or its result with --wait)
  status <id>       show a request
  cancel <id>       cancel a pending or running request

Options:
  --task T               ${TASK_OPTION.padEnd(52)}[submit]
  --wait                 wait for the result, showing progress               [submit]
  --timeout SECONDS      give up waiting after this long (implies --wait)    [submit]
  --idempotency-key K    same key and prompt: same request, started once     [submit]
  --url URL              API base URL (env ASYNC_ROUTER_URL, default http://127.0.0.1:3000)
  --key API_KEY          API Gateway key, sent as x-api-key (env ASYNC_ROUTER_API_KEY)
  --json                 print one JSON document instead of text
  -h, --help             show this help

Exit status: 0 done, 1 request failed or API error, 2 usage error, 3 timed out.`;

export type Command =
  | { kind: 'help' }
  | { kind: 'submit'; prompt: string; task: TaskName | undefined; wait: boolean; timeoutMs: number | undefined; idempotencyKey: string | undefined }
  | { kind: 'status'; requestId: string }
  | { kind: 'cancel'; requestId: string };

/** What the command line asks for. */
export interface CommandLine {
  command: Command;
  url: string;
  apiKey: string | undefined;
  json: boolean;
}

const isTaskName = (name: string): name is TaskName => (TASK_NAMES as readonly string[]).includes(name);

/** A mistake in how the CLI was called: exit 2 with the message and a pointer to `--help`. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

const SUBMIT_ONLY = ['task', 'wait', 'timeout', 'idempotency-key'] as const;

/** Turns the argument list into what to do, or throws {@link UsageError}. */
export function parseCommandLine(argv: readonly string[], config: CliConfig): CommandLine {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      strict: true,
      options: {
        task: { type: 'string' },
        wait: { type: 'boolean' },
        timeout: { type: 'string' },
        'idempotency-key': { type: 'string' },
        url: { type: 'string' },
        key: { type: 'string' },
        json: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const { values, positionals } = parsed;
  const base = { url: values.url ?? config.url, apiKey: values.key ?? config.apiKey, json: values.json ?? false };
  if (values.help) return { ...base, command: { kind: 'help' } };

  const [name, ...rest] = positionals;
  if (name === undefined) throw new UsageError('missing command (submit, status or cancel)');
  if (name !== 'submit') {
    const misplaced = SUBMIT_ONLY.find((option) => values[option] !== undefined);
    if (misplaced !== undefined) throw new UsageError(`--${misplaced} only applies to submit`);
  }
  switch (name) {
    case 'submit': {
      if (rest.length !== 1 || rest[0]!.trim() === '') throw new UsageError('submit takes one non-empty prompt; quote it: submit "your text"');
      const task = values.task;
      if (task !== undefined && !isTaskName(task)) throw new UsageError(`--task must be one of: ${TASK_NAMES.join(', ')}`);
      let timeoutMs: number | undefined;
      if (values.timeout !== undefined) {
        const seconds = Number(values.timeout);
        if (!Number.isFinite(seconds) || seconds <= 0) throw new UsageError('--timeout must be a positive number of seconds');
        timeoutMs = seconds * 1000;
      }
      return {
        ...base,
        command: {
          kind: 'submit',
          prompt: rest[0]!,
          task,
          wait: (values.wait ?? false) || timeoutMs !== undefined,
          timeoutMs,
          idempotencyKey: values['idempotency-key'],
        },
      };
    }
    case 'status':
    case 'cancel':
      if (rest.length !== 1) throw new UsageError(`${name} takes one request id`);
      return { ...base, command: { kind: name, requestId: rest[0]! } };
    default:
      throw new UsageError(`unknown command "${name}" (expected submit, status or cancel)`);
  }
}
