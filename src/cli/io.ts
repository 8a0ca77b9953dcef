/** Where the CLI writes; the process's streams in production. */
export interface CliIo {
  stdout: { write(text: string): unknown };
  stderr: { write(text: string): unknown; isTTY?: boolean };
  /** Aborts a wait (Ctrl-C). */
  interrupt: AbortSignal;
}
