/** Structured logs: one JSON object a line, which CloudWatch Logs Insights can query by field. */
export interface Logger {
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

type Level = 'info' | 'warn' | 'error';

export function createJsonLogger(write: (line: string) => void = (line) => process.stdout.write(`${line}\n`)): Logger {
  const log = (level: Level) => (message: string, fields: Record<string, unknown> = {}) =>
    write(JSON.stringify({ level, message, time: new Date().toISOString(), ...fields }));
  return { info: log('info'), warn: log('warn'), error: log('error') };
}

/** For tests and tools that must keep stdout clean. */
export const silentLogger: Logger = { info() {}, warn() {}, error() {} };

/** The parts of an error worth logging: never sent to a caller. */
export function describeError(error: unknown): Record<string, unknown> {
  if (!(error instanceof Error)) return { error: String(error) };
  const cause = error.cause instanceof Error ? { cause: `${error.cause.name}: ${error.cause.message}` } : {};
  return { error: `${error.name}: ${error.message}`, stack: error.stack, ...cause };
}
