/**
 * A byte count as people read it: `512 B`, `1.5 KB`, `2.0 MB` (binary units, 1 KB = 1024 bytes, as
 * the report task's DEMO_REPORT_MB counts). For the CLI and the demo page; not part of the client's API.
 */
export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes) || bytes < 1024) return `${Math.max(0, Math.round(bytes))} B`;
  const units = ['KB', 'MB', 'GB', 'TB'];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${value.toFixed(value >= 100 ? 0 : 1)} ${units[unit]}`;
}

/** `step 2/5 keywords` (or `step 2 keywords` when the task does not say how many): where a multi-step request is. */
export function formatStep(step: { name: string; index: number; count?: number }): string {
  return `step ${step.index}${step.count !== undefined ? `/${step.count}` : ''} ${step.name}`;
}
