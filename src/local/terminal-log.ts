/** How much of the function's and the Lambda service's log `npm start` prints. */
export type TerminalLogLevel = 'info' | 'debug';

type Entry = Record<string, unknown> & { level?: unknown; message?: unknown; time?: unknown };

/** The function's log messages a person follows a request by, each as a few words. */
const REQUEST_EVENTS: Record<string, (entry: Entry) => string> = {
  accepted: (entry) => `accepted (${String(entry.task)})`,
  claimed: (entry) => `started (${String(entry.task)}${Number(entry.attempt) > 1 ? `, attempt ${String(entry.attempt)}` : ''})`,
  'step started': (entry) => `step ${String(entry.step)}`,
  finished: (entry) => (entry.status === 'complete' ? 'done' : `failed: ${String(entry.error_code)}`),
  'sweeper found a request ended': (entry) => `failed: ${String(entry.error_code)}`,
  cancelled: () => 'cancelled',
  'webhook delivered': (entry) => `webhook delivered (HTTP ${String(entry.status)})`,
  'webhook given up': (entry) => `webhook failed after ${String(entry.attempts)} tries (last: ${String(entry.last_status)})`,
};

/** The Lambda service's per-invocation lines: for debugging, not for following requests. */
const INVOCATION_LINE = /^(START|END|REPORT) RequestId: /;

function parse(line: string): Entry | undefined {
  if (!line.startsWith('{')) return undefined;
  try {
    const value: unknown = JSON.parse(line);
    return typeof value === 'object' && value !== null ? (value as Entry) : undefined;
  } catch {
    return undefined;
  }
}

function clock(time: unknown): string {
  const parsed = typeof time === 'string' ? new Date(time) : new Date();
  return (Number.isNaN(parsed.getTime()) ? new Date() : parsed).toISOString().slice(11, 19);
}

/**
 * One log line as `npm start` shows it at `info`: a request event as one short readable line, a
 * warning or an error with its message, any other line that is not JSON (a crash, a timeout,
 * recovery) as it is; undefined for the rest (metrics, START/END/REPORT, routine info).
 */
export function terminalLine(line: string): string | undefined {
  if (INVOCATION_LINE.test(line)) return undefined;
  const entry = parse(line);
  if (entry === undefined) return line;
  if ('_aws' in entry || typeof entry.message !== 'string') return undefined;
  const subject = typeof entry.request_id === 'string' ? `${entry.request_id}  ` : '';
  const event = REQUEST_EVENTS[entry.message];
  if (event !== undefined) return `${clock(entry.time)}  ${subject}${event(entry)}`;
  if (entry.level !== 'warn' && entry.level !== 'error') return undefined;
  const cause = typeof entry.error === 'string' ? ` (${entry.error})` : '';
  return `${clock(entry.time)}  ${subject}${entry.level}: ${entry.message}${cause}`;
}

/** Where the local stack's log lines go: all of them at `debug`, the readable few at `info`. */
export function createTerminalLog(level: TerminalLogLevel, write: (line: string) => void = (line) => console.log(line)): (line: string) => void {
  if (level === 'debug') return write;
  return (line) => {
    const shown = terminalLine(line);
    if (shown !== undefined) write(shown);
  };
}
