export interface LogCollector {
  lines: string[];
  log: (line: string) => void;
  /** The function's JSON log lines whose `message` is `message`, parsed. */
  messages(message: string): Array<Record<string, unknown>>;
}

/** Collects log lines (a stack's or a Lambda service's `log` option), for tests to read. */
export function createLogCollector(): LogCollector {
  const lines: string[] = [];
  return {
    lines,
    log: (line) => void lines.push(line),
    messages(message) {
      return lines
        .filter((line) => line.startsWith('{'))
        .map((line) => JSON.parse(line) as Record<string, unknown>)
        .filter((entry) => entry.message === message);
    },
  };
}
