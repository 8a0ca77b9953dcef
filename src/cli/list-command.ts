import type { Client, RequestSummary } from '../client/index.js';
import { DEFAULT_LIST_LIMIT, MAX_LIST_LIMIT, RequestStatus } from '../contract.js';
import { ExitCode } from './exit-codes.js';
import { UsageError } from './usage-error.js';

const STATUSES = Object.values(RequestStatus) as string[];

export interface ListCommand {
  kind: 'list';
  status: RequestStatus | undefined;
  /** How many requests to show at most, newest first. */
  limit: number;
}

/** `list [--status S] [--limit N]`, or a {@link UsageError}. */
export function parseListCommand(rest: readonly string[], values: { status?: string | undefined; limit?: string | undefined }): ListCommand {
  if (rest.length !== 0) throw new UsageError('list takes no arguments; filter with --status');
  const { status, limit } = values;
  if (status !== undefined && !STATUSES.includes(status)) throw new UsageError(`--status must be one of: ${STATUSES.join(', ')}`);
  const count = limit === undefined ? DEFAULT_LIST_LIMIT : Number(limit);
  if (!Number.isInteger(count) || count < 1 || limit?.trim() === '') throw new UsageError('--limit must be a whole number of requests, 1 or more');
  return { kind: 'list', status: status as RequestStatus | undefined, limit: count };
}

/** The newest `limit` requests of the caller, and whether there are more past them. */
async function newest(client: Client, command: ListCommand, signal: AbortSignal): Promise<{ requests: RequestSummary[]; more: boolean }> {
  const requests: RequestSummary[] = [];
  const pages = client.list({ limit: Math.min(command.limit, MAX_LIST_LIMIT), signal, ...(command.status !== undefined ? { status: command.status } : {}) });
  for await (const page of pages) {
    const room = command.limit - requests.length;
    requests.push(...page.requests.slice(0, room));
    const more = page.requests.length > room || page.next_cursor !== null;
    if (requests.length >= command.limit || !more) return { requests, more };
  }
  return { requests, more: false };
}

/** `2026-01-01 12:00:05`: a created_at to the second, in UTC as the API gives it. */
function shortTime(iso: string): string {
  return iso.replace('T', ' ').replace(/\.\d+Z$|Z$/, '');
}

/** `error (cancelled)`, `processing 40%`, `complete`: what a row says of where a request stands. */
function progressCell(request: RequestSummary): string {
  if (request.status === RequestStatus.Complete) return '100%';
  if (request.status === RequestStatus.Error) return '-';
  return request.progress !== undefined ? `${Math.round(request.progress.percent)}%` : '0%';
}

/** The table `list` prints: one row per request under a header, columns padded to their widest cell. */
export function formatRequestTable(requests: readonly RequestSummary[]): string {
  const rows = [
    ['ID', 'STATUS', 'TASK', 'CREATED (UTC)', 'PROGRESS'],
    ...requests.map((request) => [
      request.request_id,
      request.error_code !== undefined ? `${request.status} (${request.error_code})` : request.status,
      request.task,
      shortTime(request.created_at),
      progressCell(request),
    ]),
  ];
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)));
  return rows.map((row) => row.map((cell, column) => (column === row.length - 1 ? cell : cell.padEnd(widths[column]!))).join('  ')).join('\n');
}

/** `list`: the caller's newest requests as a table (or `--json` `{requests, more}`), a hint on stderr when there are more. */
export async function runList(client: Client, command: ListCommand, json: boolean, io: { stdout: { write(text: string): unknown }; stderr: { write(text: string): unknown }; interrupt: AbortSignal }): Promise<ExitCode> {
  const shown = await newest(client, command, io.interrupt);
  if (json) {
    io.stdout.write(`${JSON.stringify(shown, null, 2)}\n`);
    return ExitCode.Ok;
  }
  if (shown.requests.length === 0) {
    io.stderr.write(command.status !== undefined ? `no ${command.status} requests\n` : 'no requests yet\n');
    return ExitCode.Ok;
  }
  io.stdout.write(`${formatRequestTable(shown.requests)}\n`);
  if (shown.more) io.stderr.write(`showing the newest ${shown.requests.length}; --limit ${command.limit * 2} shows more\n`);
  return ExitCode.Ok;
}
