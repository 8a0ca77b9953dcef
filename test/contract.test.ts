import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { USAGE } from '../src/cli/args.js';
import { CallbackStatus, DEFAULT_TASK, DeliveryFailure, ErrorCode, RequestStatus, ROUTES, TASK_NAMES } from '../src/contract.js';
import { createDefaultTasks } from '../src/tasks/index.js';
import { OPENAPI_PATH } from './support/openapi.js';

// src/contract.ts is the one definition; every place that must repeat it (a static document, a
// help text, the registry of implementations) is checked here, and a failure names the place.

const openapi = parse(readFileSync(OPENAPI_PATH, 'utf8'));
const schemas = openapi.components.schemas;

describe('src/contract.ts is followed by', () => {
  it('the task registry (src/tasks/index.ts): one implementation per task, the default first', () => {
    const registry = createDefaultTasks({ demoTaskMs: 0, demoReportMb: 1 });
    expect(registry.names(), 'src/tasks/index.ts TASK_FACTORIES').toEqual([DEFAULT_TASK, ...TASK_NAMES.filter((name) => name !== DEFAULT_TASK)]);
    expect(registry.defaultTask).toBe(DEFAULT_TASK);
  });

  it('openapi/v1.yaml: the task names, statuses, error codes and paths', () => {
    expect(schemas.TaskName.enum, 'openapi/v1.yaml components.schemas.TaskName.enum').toEqual(TASK_NAMES);
    expect(schemas.TaskName.default, 'openapi/v1.yaml components.schemas.TaskName.default').toBe(DEFAULT_TASK);
    expect(schemas.Status.enum, 'openapi/v1.yaml components.schemas.Status.enum').toEqual(Object.values(RequestStatus));
    expect(schemas.RequestView.properties.error_code.enum, 'openapi/v1.yaml RequestView.error_code.enum').toEqual(Object.values(ErrorCode));
    expect(schemas.Callback.properties.status.enum, 'openapi/v1.yaml Callback.status.enum').toEqual(Object.values(CallbackStatus));
    expect(schemas.Callback.properties.last_status.oneOf[1].enum, 'openapi/v1.yaml Callback.last_status').toEqual(Object.values(DeliveryFailure));
    expect(schemas.WebhookEvent.properties.type.enum, 'openapi/v1.yaml WebhookEvent.type.enum').toEqual(
      Object.values(RequestStatus).filter((status) => status === 'complete' || status === 'error').map((status) => `request.${status}`),
    );
    for (const route of Object.values(ROUTES)) {
      const methods = Object.keys(openapi.paths[route.resource] ?? {}).map((method) => method.toUpperCase());
      expect(methods, `openapi/v1.yaml paths["${route.resource}"]`).toEqual(expect.arrayContaining(Object.keys(route.methods)));
    }
  });

  it('the CLI help (src/cli/args.ts USAGE): every task, and which is the default', () => {
    for (const name of TASK_NAMES) expect(USAGE, `USAGE should name the task ${name}`).toContain(name);
    expect(USAGE).toContain(`(default ${DEFAULT_TASK})`);
  });
});
