import type { StepView } from '../contract.js';
import type { Logger } from '../log.js';
import { OutputTooLargeError } from '../storage/object-store.js';
import { TaskError } from '../tasks/task.js';
import { StorageRejectedError, StorageUnavailableError } from './errors.js';
import { ITEM_RESERVE_BYTES, MAX_ITEM_BYTES, itemSize } from './item-size.js';
import type { HeldLease } from './lease.js';
import type { Checkpoint, StoredRequest } from './model.js';
import type { RequestOutput } from './output.js';
import { placeJson } from './placement.js';
import type { RequestStore } from './store.js';
import type { ObjectStore } from '../storage/object-store.js';
import type { InvocationContext } from './ports.js';
import { retryWhileUnavailable } from './retry-writes.js';
import { runInStep } from './output-scope.js';

/** Thrown through the task by `step` when the request is to go on in a fresh invocation; the worker hands it back. */
export class ContinueSignal extends Error {
  override readonly name = 'ContinueSignal';
}

/** A checkpoint write found the request taken over, cancelled or ended: the worker stops without writing. */
export class SupersededSignal extends Error {
  override readonly name = 'SupersededSignal';
}

/** A step's result too large for the item, with no bucket to hold it: the request ends as result_too_large. */
export class CheckpointTooLargeError extends Error {
  override readonly name = 'CheckpointTooLargeError';
}

/**
 * The table or the bucket stayed out of reach for as long as the invocation could wait while a
 * checkpoint was written or read: not the task's failure. The worker fails the invocation so that
 * Lambda delivers it again, and the next attempt replays what was checkpointed.
 */
export class StepStorageUnavailableError extends Error {
  override readonly name = 'StepStorageUnavailableError';
}

const MAX_STEP_NAME_CHARS = 200;
/** A checkpoint sits two levels down (steps → name → value), which counts against DynamoDB's nesting limit. */
const CHECKPOINT_DEPTH = 2;

export interface StepRunnerOptions {
  store: RequestStore;
  objects: ObjectStore | undefined;
  log: Logger;
  now: () => number;
  claimed: StoredRequest;
  output: RequestOutput;
  lease: HeldLease;
  /** How many steps the task says it has. */
  count: number | undefined;
  /** A new step starts here only with this much of the invocation left (after the first one). */
  budgetMs: number;
  inlineMaxBytes: number;
  invocation: InvocationContext;
  /** Bytes of emitted output this invocation added to the item, for its size. */
  outputItemBytes: () => number;
  /** Makes the output the step emitted durable: called before its checkpoint, which must never land ahead of it. */
  flushOutput: () => Promise<void>;
}

export interface StepRunner {
  step<T>(name: string, run: () => Promise<T>): Promise<T>;
  continueLater(): void;
  /** Steps run (not replayed) in this invocation. */
  ranHere(): number;
  /** Whether a step asked to continue. */
  continuing(): boolean;
  /** Resolves once every step under way in this invocation has checkpointed or failed. */
  settled(): Promise<void>;
  /** The last step reached, for the hand-back. */
  reached(): StepView | undefined;
  /** Every checkpoint the item holds now: the claimed ones and those written since. */
  checkpoints(): Record<string, Checkpoint>;
}

/**
 * The task's `step` and `continueLater`: each step runs at most once per request, its JSON
 * result checkpointed under the worker's fence before `step` returns (in the item, or in the
 * bucket when large), and replayed from the checkpoint by every later attempt or continuation.
 */
export function createStepRunner(options: StepRunnerOptions): StepRunner {
  const { claimed, store, log } = options;
  // Prototype-free, so a step named "constructor" or "__proto__" is a name like any other.
  const checkpoints: Record<string, Checkpoint> = Object.assign(Object.create(null) as Record<string, Checkpoint>, claimed.steps);
  // Inline checkpoints decided on but not written yet (steps run side by side): counted in the item's size too.
  const writing: Record<string, Checkpoint> = Object.create(null) as Record<string, Checkpoint>;
  const named = new Set<string>();
  // Steps of this invocation whose function or checkpoint is still under way.
  const underWay = new Set<Promise<unknown>>();
  let index = 0;
  let ran = 0;
  let continuing = false;
  let asked = false;
  let reached: StepView | undefined = claimed.step;
  const fields = { request_id: claimed.request_id, attempt: claimed.attempt };

  const view = (name: string, at: number): StepView => ({ name, index: at, ...(options.count !== undefined ? { count: options.count } : {}) });

  /** Storage calls of a step, retried while out of reach and the invocation has time; then a redelivery, never the task's failure. */
  async function withStorage<T>(name: string, call: () => Promise<T>): Promise<T> {
    try {
      return await retryWhileUnavailable(log, options.invocation, { ...fields, step: name }, call);
    } catch (error) {
      if (error instanceof StorageUnavailableError) throw new StepStorageUnavailableError(`step "${name}": ${error.message}`, { cause: error });
      throw error;
    }
  }

  async function replay(name: string, checkpoint: Checkpoint): Promise<unknown> {
    if (checkpoint.object === undefined) return checkpoint.value;
    const objects = options.objects;
    if (objects === undefined) throw new StepStorageUnavailableError(`step "${name}" is checkpointed in a results bucket this deployment no longer has`);
    return JSON.parse(await withStorage(name, () => objects.getText(checkpoint.object!.key))) as unknown;
  }

  /** The checkpoint as it will be stored: in the item when it is small and the item has room, else in the bucket. */
  async function checkpointOf(name: string, at: number, json: string, value: unknown): Promise<Checkpoint> {
    const bytes = Buffer.byteLength(json);
    const placement = placeJson({
      json,
      parse: () => value,
      inlineMaxBytes: options.inlineMaxBytes,
      depth: CHECKPOINT_DEPTH,
      itemBytesWith: (inline) => itemSize({ ...claimed, steps: { ...checkpoints, ...writing, [name]: { index: at, value: inline } }, artifacts: options.output.artifacts() }) + options.outputItemBytes(),
      itemMaxBytes: MAX_ITEM_BYTES - ITEM_RESERVE_BYTES,
      hasBucket: options.objects !== undefined,
    });
    if (placement.where === 'inline') {
      const inline: Checkpoint = { index: at, value: placement.value };
      writing[name] = inline;
      return inline;
    }
    if (placement.where === 'refused') {
      if (placement.unstorable !== undefined) throw new TaskError(`Step "${name}" returned a result that cannot be stored: it ${placement.unstorable}.`);
      throw new CheckpointTooLargeError(`Step "${name}" returned ${bytes} bytes: more than a request can hold without a results bucket.`);
    }
    try {
      return { index: at, object: await withStorage(name, () => options.output.putCheckpoint(at, json)) };
    } catch (error) {
      if (!(error instanceof OutputTooLargeError)) throw error;
      throw new CheckpointTooLargeError(`Step "${name}" returned ${bytes} bytes: more than MAX_OUTPUT_BYTES leaves room for.`);
    }
  }

  return {
    async step<T>(name: string, run: () => Promise<T>): Promise<T> {
      if (continuing) throw new ContinueSignal('the request continues in a fresh invocation');
      if (typeof name !== 'string' || name.length === 0 || name.length > MAX_STEP_NAME_CHARS) {
        throw new TaskError(`A step's name must be 1-${MAX_STEP_NAME_CHARS} characters; got ${JSON.stringify(name)?.slice(0, 50)}.`);
      }
      if (named.has(name)) throw new TaskError(`The task ran a step named "${name}" twice: step names must be unique in a request.`);
      named.add(name);
      index += 1;
      const at = index;
      const done = Object.hasOwn(checkpoints, name) ? checkpoints[name] : undefined;
      if (done !== undefined) {
        log.info('step replayed', { ...fields, step: name, index: at });
        reached = view(name, at);
        return (await replay(name, done)) as T;
      }
      // At least one step per invocation, so a request always moves on.
      if (ran > 0 && (asked || options.invocation.getRemainingTimeInMillis() < options.budgetMs)) {
        continuing = true;
        throw new ContinueSignal('the request continues in a fresh invocation');
      }
      reached = view(name, at);
      options.lease.reportStep(reached);
      log.info('step started', { ...fields, step: name, index: at });
      const running = runAndCheckpoint(name, at, run);
      const forget = () => void underWay.delete(running);
      underWay.add(running);
      running.then(forget, forget);
      return running;
    },
    continueLater() {
      asked = true;
    },
    ranHere: () => ran,
    continuing: () => continuing,
    settled: () => Promise.allSettled([...underWay]).then(() => undefined),
    reached: () => reached,
    checkpoints: () => ({ ...checkpoints }),
  };

  /** Runs a step's function and checkpoints its result under the worker's fence. */
  async function runAndCheckpoint<T>(name: string, at: number, run: () => Promise<T>): Promise<T> {
    const value = await runInStep(name, run);
    await options.flushOutput();
    let json: string;
    try {
      json = JSON.stringify(value ?? null) ?? 'null';
    } catch {
      throw new TaskError(`Step "${name}" returned a result that is not JSON.`);
    }
    const stored = JSON.parse(json) as unknown;
    const checkpoint = await checkpointOf(name, at, json, stored);
    const step = view(name, at);
    const objectKey = checkpoint.object?.key;
    // Marked recorded before the write, so that removing the attempt's leftovers meanwhile spares it.
    const artifacts = options.output.commit(...(objectKey !== undefined ? [objectKey] : []));
    let written: boolean;
    try {
      written = await withStorage(name, () => store.checkpoint(claimed.request_id, claimed.attempt, options.now(), name, checkpoint, step, artifacts, options.output.replaced()));
    } catch (error) {
      if (!(error instanceof StorageRejectedError)) throw error;
      if (objectKey !== undefined) await options.output.uncommit(objectKey);
      throw new CheckpointTooLargeError(`Step "${name}"'s checkpoint was refused by the table: the request would pass its item limits.`);
    } finally {
      delete writing[name];
    }
    if (!written) {
      if (objectKey !== undefined) await options.output.uncommit(objectKey);
      throw new SupersededSignal('the request was taken over, cancelled or ended');
    }
    checkpoints[name] = checkpoint;
    ran += 1;
    log.info('step checkpointed', { ...fields, step: name, index: at, inline: checkpoint.object === undefined });
    // The same value a replay gives: what JSON keeps of it.
    return stored as T;
  }
}
