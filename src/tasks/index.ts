import type { Config } from '../config.js';
import { createAssessTask } from './assess.js';
import { createTaskRegistry, type TaskRegistry } from './registry.js';
import { createSummarizeTask } from './summarize.js';

/** The tasks this deployment runs; add yours here. The first is the default. */
export function createDefaultTasks(config: Pick<Config, 'demoTaskMs'>): TaskRegistry {
  return createTaskRegistry([createAssessTask(config.demoTaskMs), createSummarizeTask(config.demoTaskMs)]);
}
