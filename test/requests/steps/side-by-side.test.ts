// Issue 18, property 1: a continuation decided while other steps of the same invocation still run
// stops them (their signal aborted) and waits for them, so each step's function runs once per request.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TaskContext } from '../../../src/tasks/task.js';
import { depsFor, runToEnd, startHarness, storedRequest, type Harness } from './harness.js';

let h: Harness;
beforeAll(async () => void (h = await startHarness()));
afterAll(async () => h?.stop());

/** Less than STEP_BUDGET_SECONDS (60 s by default): every step after the first of an invocation asks for a continuation. */
const INVOCATION_MS = 30_000;

/** Counts each step's runs, and holds the slow ones until their signal fires or the test lets them go. */
function stepCounter() {
  const runs: Record<string, number> = {};
  const abortedWhileRunning: string[] = [];
  let live = 0;
  let maxLive = 0;
  let release = () => {};
  const released = () => new Promise<void>((resolve) => (release = resolve));
  const quick = (context: TaskContext, name: string) =>
    context.step(name, async () => {
      runs[name] = (runs[name] ?? 0) + 1;
      return name;
    });
  const slow = (context: TaskContext, name: string) =>
    context.step(name, async () => {
      runs[name] = (runs[name] ?? 0) + 1;
      // Held only on its first run: a run that should never happen must not hang the test too.
      if (runs[name] > 1) return name;
      live += 1;
      maxLive = Math.max(maxLive, live);
      const gone = released();
      await Promise.race([gone, new Promise((resolve) => context.signal.addEventListener('abort', resolve, { once: true }))]);
      if (context.signal.aborted) abortedWhileRunning.push(name);
      live -= 1;
      return name;
    });
  return { runs, abortedWhileRunning, quick, slow, maxLive: () => maxLive, release: () => release() };
}

describe('steps side by side when the request continues', () => {
  it('Promise.all: the step still running when another asks to continue is stopped, waited for and kept', async () => {
    const item = await storedRequest(h);
    const counter = stepCounter();
    const deps = depsFor(h, (context) => Promise.all([counter.quick(context, 'a').then(() => counter.quick(context, 'b')), counter.slow(context, 'c')]));

    const results = await runToEnd(deps, item.request_id, INVOCATION_MS, counter.release);

    const stored = await h.store.get(item.request_id);
    expect({ results, status: stored?.status, result: stored?.result }).toEqual({ results: ['continued', 'completed'], status: 'complete', result: ['b', 'c'] });
    expect(counter.runs).toEqual({ a: 1, b: 1, c: 1 });
    expect(counter.abortedWhileRunning).toEqual(['c']);
    expect(counter.maxLive()).toBe(1);
  });

  it('a pool of four steps, two at a time: each step runs once over the whole request', async () => {
    const item = await storedRequest(h);
    const counter = stepCounter();
    const deps = depsFor(h, async (context) => {
      const names = ['a', 'b', 'c', 'd'];
      let next = 0;
      const lane = async () => {
        const done: string[] = [];
        while (next < names.length) {
          const name = names[next++]!;
          done.push(await (name === 'b' ? counter.slow : counter.quick)(context, name));
        }
        return done;
      };
      return (await Promise.all([lane(), lane()])).flat().sort();
    });

    const results = await runToEnd(deps, item.request_id, INVOCATION_MS, counter.release);

    const stored = await h.store.get(item.request_id);
    expect({ last: results.at(-1), status: stored?.status, result: stored?.result }).toEqual({ last: 'completed', status: 'complete', result: ['a', 'b', 'c', 'd'] });
    expect(counter.runs).toEqual({ a: 1, b: 1, c: 1, d: 1 });
    expect(counter.abortedWhileRunning).toEqual(['b']);
  });
});
