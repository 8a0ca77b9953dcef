// The sandbox stack the durable-step tests share: the demo `pipeline` task (five steps, each a
// fifth of DEMO_TASK_MS) run by the built bundle in sandboxes, each invocation a process of its
// own, killable, with its own timeout; and what its log lines tell about the steps.
import type { Stack, StackOptions } from '../../src/local/stack.js';
import { createLogCollector, type LogCollector } from '../support/logs.js';
import { startTestStack } from '../support/stack.js';

export const PROMPT =
  'Durable steps keep what a crash would lose. Each step is checkpointed before the next begins. ' +
  'A continuation picks up where the last invocation stopped. Long work then outlives any one function timeout.';
export const STEPS = ['outline', 'keywords', 'count', 'summary', 'assemble'];
/**
 * A worker's lease in these tests: long enough that a live worker's renewals keep it on a loaded
 * machine (the lease thread may be starved for seconds there), short enough to wait out.
 */
export const LEASE_SECONDS = 3;
/** Lambda's retries, shortened but kept past a lease so a retry can take over a killed worker. */
export const RETRY_AFTER_LEASE = { retries: 2, delaysMs: [LEASE_SECONDS * 1000 + 500, LEASE_SECONDS * 1000 + 500] };
// Every function timeout in these tests leaves a step at most half of it: the rest is for the
// claim, the checkpoint's write and a loaded machine's delays. A step that does not fit,
// checkpoint included, ends the request as `timeout` before any step is kept.

export interface PipelineStack {
  stack: Stack;
  logs: LogCollector;
  /** The function's JSON log lines with this message. */
  message(name: string): Array<Record<string, unknown>>;
  /** How many times each step's function ran (not replayed), by name. */
  runsPerStep(): Record<string, number>;
}

const running = new Set<Stack>();

/** Stops the stacks still running; for `afterEach`. */
export async function stopPipelineStacks(): Promise<void> {
  for (const stack of running) await stopPipelineStack(stack);
}

/** Stops one stack before the test ends. */
export async function stopPipelineStack(stack: Stack): Promise<void> {
  running.delete(stack);
  await stack.stop();
}

/** Starts a sandbox stack; stop it with {@link stopPipelineStacks} in `afterEach`. */
export async function startPipelineStack(options: Partial<StackOptions> = {}): Promise<PipelineStack> {
  const logs = createLogCollector();
  const stack = await startTestStack({ runtime: 'sandbox', log: logs.log, ...options, env: { PROGRESS_INTERVAL_MS: '100', ...options.env } });
  running.add(stack);
  const message = (name: string) => logs.messages(name);
  return {
    stack,
    logs,
    message,
    runsPerStep: () => Object.fromEntries(STEPS.map((name) => [name, message('step started').filter((line) => line.step === name).length])),
  };
}
