import { DEFAULT_TASK, TASK_NAMES, type TaskName } from '../contract.js';
import { createAssessTask } from './assess.js';
import { createDraftTask } from './draft.js';
import { createTaskRegistry, type TaskRegistry } from './registry.js';
import { createPipelineTask } from './pipeline.js';
import { createReportTask } from './report.js';
import { createSummarizeTask } from './summarize.js';
import type { Task } from './task.js';

/** The demo tasks' settings (DEMO_TASK_MS, DEMO_REPORT_MB in the configuration). */
interface TaskConfig {
  demoTaskMs: number;
  demoReportMb: number;
}

/**
 * How this deployment builds each task the contract names (TASKS in src/contract.ts, which the
 * OpenAPI document, the client and the CLI follow). A task named there and missing here, or here
 * and not there, does not compile.
 */
const TASK_FACTORIES: { readonly [Name in TaskName]: (config: TaskConfig) => Task<Name> } = {
  assess: (config) => createAssessTask(config.demoTaskMs),
  summarize: (config) => createSummarizeTask(config.demoTaskMs),
  report: (config) => createReportTask(config.demoTaskMs, config.demoReportMb),
  pipeline: (config) => createPipelineTask(config.demoTaskMs),
  draft: (config) => createDraftTask(config.demoTaskMs),
};

/** The tasks this deployment runs, the default first. */
export function createDefaultTasks(config: TaskConfig): TaskRegistry {
  const ordered = [DEFAULT_TASK, ...TASK_NAMES.filter((name) => name !== DEFAULT_TASK)];
  return createTaskRegistry(ordered.map((name) => TASK_FACTORIES[name](config)));
}
