/** What the CLI's exit status means; scripts branch on these. */
export const ExitCode = {
  Ok: 0,
  /** The request ended as `error`, or the API answered with an error. */
  Failed: 1,
  Usage: 2,
  /** `--timeout` passed before the request finished; it may still finish. */
  Timeout: 3,
  Interrupted: 130,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];
