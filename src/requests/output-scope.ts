import { AsyncLocalStorage } from 'node:async_hooks';

// Steps may run side by side: only the async context tells which one an `emit` comes from.
const currentStep = new AsyncLocalStorage<string>();

/** Runs a step's function so that what it emits is counted as that step's output. */
export function runInStep<T>(name: string, run: () => Promise<T>): Promise<T> {
  return currentStep.run(name, run);
}

/** The step whose function is running here, or undefined outside any step. */
export function stepEmitting(): string | undefined {
  return currentStep.getStore();
}
