import type { Task } from './task.js';

/** The tasks a deployment knows, by name. The first one is the default. */
export interface TaskRegistry {
  readonly defaultTask: string;
  get(name: string): Task | undefined;
  names(): string[];
}

export function createTaskRegistry(tasks: readonly Task[]): TaskRegistry {
  const byName = new Map(tasks.map((task) => [task.name, task]));
  const first = tasks[0];
  if (first === undefined) throw new Error('a task registry needs at least one task');
  if (byName.size !== tasks.length) throw new Error('task names must be unique');
  return {
    defaultTask: first.name,
    get: (name) => byName.get(name),
    names: () => [...byName.keys()],
  };
}
