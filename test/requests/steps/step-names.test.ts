import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { processRequest } from '../../../src/requests/worker.js';
import { depsFor, invocation, startHarness, storedRequest, type Harness } from './harness.js';

let h: Harness;
beforeAll(async () => void (h = await startHarness()));
afterAll(async () => h?.stop());

describe('step names', () => {
  // Names that are plain strings to a caller, but are inherited properties of a JS object.
  for (const name of ['constructor', 'toString', 'hasOwnProperty', '__proto__', 'valueOf']) {
    it(`runs a step named ${JSON.stringify(name)} and returns its result`, async () => {
      const item = await storedRequest(h);
      let runs = 0;
      const deps = depsFor(h, async ({ step }) => {
        const value = await step(name, async () => {
          runs += 1;
          return { from: name };
        });
        return { value: value ?? 'undefined' };
      });
      const result = await processRequest(deps, item.request_id, invocation());
      const stored = await h.store.get(item.request_id);
      expect({ result, runs, status: stored?.status, result_value: stored?.result }).toEqual({
        result: 'completed',
        runs: 1,
        status: 'complete',
        result_value: { value: { from: name } },
      });
    });
  }

  for (const name of ['a.b', '#x', ':v', 'a[0]', 'ünï cødé ✓ 🎉', ' ', 'x'.repeat(200), 'steps', 'status']) {
    it(`checkpoints and replays a step named ${JSON.stringify(name.slice(0, 20))}`, async () => {
      const item = await storedRequest(h);
      let runs = 0;
      const run = async ({ step, continueLater }: Parameters<Parameters<typeof depsFor>[1]>[0]) => {
        const a = await step(name, async () => {
          runs += 1;
          return 41;
        });
        continueLater();
        const b = await step('second', async () => a + 1);
        return b;
      };
      const first = await processRequest(depsFor(h, run), item.request_id, invocation());
      const second = await processRequest(depsFor(h, run), item.request_id, invocation());
      const stored = await h.store.get(item.request_id);
      expect({ first, second, runs, result: stored?.result, status: stored?.status }).toEqual({ first: 'continued', second: 'completed', runs: 1, result: 42, status: 'complete' });
      expect(Object.keys(stored!.steps!).sort()).toEqual([name, 'second'].sort());
    });
  }

  it('a name with a lone surrogate is checkpointed under a name the replay finds', async () => {
    const item = await storedRequest(h);
    let runs = 0;
    const run = async ({ step, continueLater }: Parameters<Parameters<typeof depsFor>[1]>[0]) => {
      const a = await step('part\uD800', async () => {
        runs += 1;
        return 1;
      });
      continueLater();
      return step('second', async () => a + 1);
    };
    const first = await processRequest(depsFor(h, run), item.request_id, invocation());
    const second = await processRequest(depsFor(h, run), item.request_id, invocation());
    expect({ first, second, runs }).toEqual({ first: 'continued', second: 'completed', runs: 1 });
  });
});
