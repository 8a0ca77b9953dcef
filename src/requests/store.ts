import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import {
  DeleteCommand,
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
  type DynamoDBDocumentClient,
} from '@aws-sdk/lib-dynamodb';
import { StorageUnavailableError, storageError } from '../storage/errors.js';
import { CallbackStatus, RequestStatus, type CallbackView, type ErrorCode, type Progress, type StepView } from '../contract.js';
import { queryOwnerPage, type OwnerPage, type OwnerQuery } from './list-requests.js';
import { isVisibleTo, ownedCondition } from './ownership.js';
import { owesCallback, type Artifact, type Checkpoint, type OutputChunk, type ResultObject, type StoredRequest } from './model.js';
import { SWEEP_INDEX, sweepShard } from './sweep-index.js';
import { CLAIMABLE_CONDITION, FENCE_CONDITION, fenceValues, isExpired, nextSweepAt } from './transitions.js';

/** How a worker's attempt ended, as written to the table. */
export type Outcome =
  | { status: typeof RequestStatus.Complete; result?: unknown; resultObject?: ResultObject; artifacts?: Artifact[]; progress?: Progress }
  | { status: typeof RequestStatus.Error; error: string; errorCode: ErrorCode };

export type CancelResult = { kind: 'cancelled'; item: StoredRequest } | { kind: 'not_found' } | { kind: 'terminal'; item: StoredRequest };

// Named condition fragments; the claim and the fence are the state machine's (transitions.ts).
const EXISTS = 'attribute_exists(request_id)';
const NOT_EXPIRED = 'expires_at > :nowSec';
/** Stored, and no worker has claimed it yet. */
const NEVER_CLAIMED = `${EXISTS} AND #status = :pending AND attempt = :zero`;
const LIVE = `${EXISTS} AND ${NOT_EXPIRED} AND (#status = :pending OR #status = :processing)`;
/** The sweep entry is as the sweeper (or whoever reschedules) read it. */
const SWEEP_AS_SEEN = 'sweep_at = :seenSweepAt';

/** When the sweeper next looks at a request, or `undefined`: it has nothing more to check. */
type SweepAt = number | undefined;

/** The update clauses that put a request in the sweep index at `at`, or take it out. */
function sweepClauses(requestId: string, at: SweepAt): { set: string; remove: string; values: Record<string, unknown> } {
  if (at === undefined) return { set: '', remove: ' REMOVE sweep_shard, sweep_at', values: {} };
  return { set: ', sweep_shard = :sweepShard, sweep_at = :sweepAt', remove: '', values: { ':sweepShard': sweepShard(requestId), ':sweepAt': at } };
}

/** `#status` when the expressions use it, and `extra`; none at all when empty, as DynamoDB refuses an unused or empty map. */
function attributeNames(expressions: string, extra: Record<string, string> = {}): { ExpressionAttributeNames?: Record<string, string> } {
  const names = { ...(expressions.includes('#status') ? { '#status': 'status' } : {}), ...extra };
  return Object.keys(names).length > 0 ? { ExpressionAttributeNames: names } : {};
}

/**
 * The requests table. Conditional-write failures become return values; a call DynamoDB refuses for
 * good becomes {@link StorageRejectedError}, any other failure {@link StorageUnavailableError}.
 */
/**
 * Whether `existing` is `item` as this call wrote it: a random id is held by no one else, and a
 * keyed one by the same body created at the same millisecond (a replay of it would be the same request).
 */
function isSameWrite(existing: StoredRequest, item: StoredRequest): boolean {
  return existing.created_at === item.created_at && existing.task === item.task && existing.body_hash === item.body_hash && existing.input.prompt === item.input.prompt;
}

export class RequestStore {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  /** Writes a new request; answers the existing live item instead when the id is taken. */
  async create(item: StoredRequest): Promise<{ created: true } | { created: false; existing: StoredRequest }> {
    try {
      await this.call((client) =>
        client.send(new PutCommand({
          TableName: this.tableName,
          Item: item,
          // An item past its TTL that DynamoDB has not yet deleted does not hold its id.
          ConditionExpression: 'attribute_not_exists(request_id) OR expires_at <= :nowSec',
          ExpressionAttributeValues: { ':nowSec': Math.floor(Date.parse(item.created_at) / 1000) },
        })),
      );
      return { created: true };
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      const existing = await this.get(item.request_id);
      // The holder may have expired between the two calls; then the caller may simply retry.
      if (existing === undefined) throw new StorageUnavailableError('request id was released during create');
      // The SDK retries a put whose answer was lost; the item it then finds may be that very put.
      if (isSameWrite(existing, item)) return { created: true };
      return { created: false, existing };
    }
  }

  /** One page of an owner's requests, newest first (see list-requests.ts). */
  listOwned(query: OwnerQuery): Promise<OwnerPage> {
    return this.call((client) => queryOwnerPage(client, this.tableName, query));
  }

  /** A strongly consistent read: status reads follow writes made a moment ago by another invocation. */
  async get(requestId: string): Promise<StoredRequest | undefined> {
    const output = await this.call((client) =>
      client.send(new GetCommand({ TableName: this.tableName, Key: { request_id: requestId }, ConsistentRead: true })),
    );
    return output.Item as StoredRequest | undefined;
  }

  /**
   * Takes the request for one worker: pending, or processing with a lease that ran out, with an
   * attempt left and the deadline ahead. Answers the claimed item (its `attempt` is the worker's
   * fencing token) or undefined when another worker holds it or nothing is left to do.
   */
  async claim(requestId: string, nowMs: number, leaseUntil: number): Promise<StoredRequest | undefined> {
    const sweep = sweepClauses(requestId, nextSweepAt({ on: 'claim', leaseUntil }));
    return this.updateIf(requestId, CLAIMABLE_CONDITION, {
      UpdateExpression: `SET #status = :processing, attempt = attempt + :one, lease_until = :lease, updated_at = :nowIso, #steps = if_not_exists(#steps, :noSteps)${sweep.set}`,
      ExpressionAttributeNames: { '#steps': 'steps' },
      ExpressionAttributeValues: {
        ...sweep.values,
        ':noSteps': {},
        ':pending': RequestStatus.Pending,
        ':processing': RequestStatus.Processing,
        ':one': 1,
        ':lease': leaseUntil,
        ':now': nowMs,
        ':nowSec': Math.floor(nowMs / 1000),
        ':nowIso': new Date(nowMs).toISOString(),
      },
    });
  }

  /**
   * Writes the worker's outcome, with the request's next sweep (`sweepAt`: its webhook is owed) or
   * none; answers the ended item, or undefined when a newer attempt, a cancel or the deadline got
   * there first.
   */
  async finish(requestId: string, attempt: number, nowMs: number, outcome: Outcome, sweepAt?: number): Promise<StoredRequest | undefined> {
    const sweep = sweepClauses(requestId, sweepAt);
    const values: Record<string, unknown> = {
      ...sweep.values,
      ...fenceValues(attempt),
      ':status': outcome.status,
      ':nowIso': new Date(nowMs).toISOString(),
      ':zero': 0,
    };
    let set = 'SET #status = :status, updated_at = :nowIso, lease_until = :zero';
    let names: Record<string, string>;
    if (outcome.status === RequestStatus.Complete) {
      names = {};
      const fields: Array<[string, unknown]> = [
        ['result', outcome.result],
        ['result_object', outcome.resultObject],
        ['artifacts', outcome.artifacts?.length ? outcome.artifacts : undefined],
        ['progress', outcome.progress],
      ];
      for (const [field, value] of fields) {
        if (value === undefined) continue;
        names[`#${field}`] = field;
        set += `, #${field} = :${field}`;
        values[`:${field}`] = value;
      }
    } else {
      names = { '#error': 'error' };
      set += ', #error = :error, error_code = :errorCode';
      values[':error'] = outcome.error;
      values[':errorCode'] = outcome.errorCode;
    }
    return this.updateIf(requestId, FENCE_CONDITION, {
      UpdateExpression: set + sweep.set + sweep.remove,
      ExpressionAttributeValues: values,
      ExpressionAttributeNames: names,
    });
  }

  /**
   * Records a completed step under the worker's fence: its checkpoint, the step reached and the
   * files written so far (which the checkpoint's replay relies on). False when the request is no
   * longer this attempt's.
   */
  async checkpoint(
    requestId: string,
    attempt: number,
    nowMs: number,
    name: string,
    checkpoint: Checkpoint,
    step: StepView,
    artifacts: Artifact[],
    replaced: ResultObject[] = [],
  ): Promise<boolean> {
    const updated = await this.updateIf(requestId, FENCE_CONDITION, {
      UpdateExpression: `SET #steps.#name = :checkpoint, #stepView = :step, updated_at = :nowIso${artifacts.length > 0 ? ', artifacts = :artifacts' : ''}${replaced.length > 0 ? ', replaced_objects = :replaced' : ''}`,
      ExpressionAttributeNames: { '#steps': 'steps', '#name': name, '#stepView': 'step' },
      ExpressionAttributeValues: {
        ...fenceValues(attempt),
        ':checkpoint': checkpoint,
        ':step': step,
        ':nowIso': new Date(nowMs).toISOString(),
        ...(artifacts.length > 0 ? { ':artifacts': artifacts } : {}),
        ...(replaced.length > 0 ? { ':replaced': replaced } : {}),
      },
    });
    return updated !== undefined;
  }

  /**
   * Appends emitted output under the worker's fence, after the chunk numbered `afterSeq` (0: none
   * yet), so a write the SDK sends twice cannot append twice. Answers whether the chunks are in
   * the item: a failed condition because this very write landed before counts as written.
   */
  async appendOutput(requestId: string, attempt: number, afterSeq: number, chunks: OutputChunk[]): Promise<boolean> {
    const lastSeq = chunks.at(-1)!.seq;
    const updated = await this.updateIf(requestId, `${FENCE_CONDITION} AND (attribute_not_exists(output_seq) OR output_seq = :afterSeq)`, {
      UpdateExpression: 'SET #output = list_append(if_not_exists(#output, :none), :chunks), output_seq = :lastSeq',
      ExpressionAttributeNames: { '#output': 'output' },
      ExpressionAttributeValues: { ...fenceValues(attempt), ':afterSeq': afterSeq, ':none': [], ':chunks': chunks, ':lastSeq': lastSeq },
    });
    if (updated !== undefined) return true;
    const current = await this.get(requestId);
    return current?.status === RequestStatus.Processing && current.attempt === attempt && current.output_seq === lastSeq;
  }

  /**
   * Hands a request back to go on in a fresh invocation (a continuation): pending again, its
   * lease given up, its attempt budget one larger (a continuation is not a failed attempt), its
   * files recorded, its sweep entry at `sweepAt` (see lambda-chain.ts). Answers
   * the item, or undefined when the request is no longer this attempt's.
   */
  async handBack(
    requestId: string,
    attempt: number,
    nowMs: number,
    next: { step: StepView | undefined; artifacts: Artifact[]; replaced?: ResultObject[]; sweepAt: number },
  ): Promise<StoredRequest | undefined> {
    const sweep = sweepClauses(requestId, next.sweepAt);
    let set =
      'SET #status = :pending, lease_until = :zero, updated_at = :nowIso, max_attempts = max_attempts + :one, ' +
      'continuations = if_not_exists(continuations, :zero) + :one';
    if (next.step !== undefined) set += ', #stepView = :step';
    if (next.artifacts.length > 0) set += ', artifacts = :artifacts';
    const replaced = next.replaced ?? [];
    if (replaced.length > 0) set += ', replaced_objects = :replaced';
    return this.updateIf(requestId, FENCE_CONDITION, {
      UpdateExpression: set + sweep.set,
      ExpressionAttributeNames: next.step !== undefined ? { '#stepView': 'step' } : {},
      ExpressionAttributeValues: {
        ...sweep.values,
        ...fenceValues(attempt),
        ':pending': RequestStatus.Pending,
        ':zero': 0,
        ':one': 1,
        ':nowIso': new Date(nowMs).toISOString(),
        ...(next.step !== undefined ? { ':step': next.step } : {}),
        ...(next.artifacts.length > 0 ? { ':artifacts': next.artifacts } : {}),
        ...(replaced.length > 0 ? { ':replaced': replaced } : {}),
      },
    });
  }

  /**
   * Ends a request that nobody can finish any more, if it is still exactly as `seen`
   * (same status and attempt), so a worker that just claimed or finished it wins. Answers the
   * ended item, or undefined when the item had changed. A webhook it owes is due at once.
   */
  async markLost(seen: StoredRequest, nowMs: number, errorCode: ErrorCode, error: string): Promise<StoredRequest | undefined> {
    const condition = `${EXISTS} AND #status = :seenStatus AND attempt = :seenAttempt`;
    const values = { ':seenStatus': seen.status, ':seenAttempt': seen.attempt };
    return this.endAsError(seen.request_id, condition, values, nowMs, errorCode, error, nextSweepAt({ on: 'lost', nowMs, owesCallback: owesCallback(seen) }));
  }

  /**
   * Cancels a pending or processing request at once; a running worker finds out at its next fenced
   * write. Only the request's owner (undefined: the anonymous tenant) may cancel it; for any other
   * caller it does not exist.
   */
  async cancel(requestId: string, nowMs: number, message: string, errorCode: ErrorCode, owner?: string): Promise<CancelResult> {
    const owned = ownedCondition(owner);
    const values = {
      ':pending': RequestStatus.Pending,
      ':processing': RequestStatus.Processing,
      ':nowSec': Math.floor(nowMs / 1000),
      ...owned.values,
    };
    // Due for the sweeper at once: it delivers the webhook if one is owed, or just clears the entry.
    const item = await this.endAsError(requestId, `${LIVE} AND ${owned.expression}`, values, nowMs, errorCode, message, nextSweepAt({ on: 'cancel', nowMs }), owned.names);
    if (item !== undefined) return { kind: 'cancelled', item };
    const current = await this.get(requestId);
    if (current === undefined || isExpired(current, nowMs) || !isVisibleTo(current, owner)) return { kind: 'not_found' };
    return { kind: 'terminal', item: current };
  }

  /**
   * Removes a request whose dispatch failed, but only if nothing else has taken it on: a worker
   * claimed it (the failed call had in fact queued the event) or a replay of its Idempotency-Key
   * dispatched it again (and answered 202). Answers which of the three happened.
   */
  async removeUndispatched(requestId: string): Promise<'removed' | 'claimed' | 'replayed'> {
    try {
      await this.call((client) =>
        client.send(new DeleteCommand({
          TableName: this.tableName,
          Key: { request_id: requestId },
          ConditionExpression: `${NEVER_CLAIMED} AND attribute_not_exists(redispatches)`,
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':pending': RequestStatus.Pending, ':zero': 0 },
        })),
      );
      return 'removed';
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      const current = await this.get(requestId);
      return current?.status === RequestStatus.Pending && current.attempt === 0 ? 'replayed' : 'claimed';
    }
  }

  /**
   * Marks a stored, never-claimed request as dispatched again by a replay, before the replay
   * dispatches it, so the first call's clean-up cannot remove it any more. False when a worker
   * has claimed it meanwhile (then it needs no dispatch). The sweeper passes the entry it read
   * (`seenSweepAt`, so of sweeps racing only one dispatches) and when to look again (`sweepAt`).
   */
  async markRedispatched(requestId: string, sweepAt?: number, seenSweepAt?: number): Promise<boolean> {
    const sweep = sweepAt === undefined ? { set: '', values: {} } : sweepClauses(requestId, sweepAt);
    const seen = seenSweepAt === undefined ? {} : { ':seenSweepAt': seenSweepAt };
    const updated = await this.updateIf(requestId, seenSweepAt === undefined ? NEVER_CLAIMED : `${NEVER_CLAIMED} AND ${SWEEP_AS_SEEN}`, {
      UpdateExpression: `SET redispatches = if_not_exists(redispatches, :zero) + :one${sweep.set}`,
      ExpressionAttributeValues: { ...sweep.values, ...seen, ':pending': RequestStatus.Pending, ':zero': 0, ':one': 1 },
    });
    return updated !== undefined;
  }

  /**
   * Ids of requests in one shard of the sweep index due at `nowMs`, soonest first, at most `limit`.
   * The index is eventually consistent: the caller reads each item before acting on it.
   */
  async dueForSweep(shard: string, nowMs: number, limit: number): Promise<Array<{ requestId: string; sweepAt: number }>> {
    const output = await this.call((client) =>
      client.send(new QueryCommand({
        TableName: this.tableName,
        IndexName: SWEEP_INDEX,
        KeyConditionExpression: 'sweep_shard = :shard AND sweep_at <= :now',
        ExpressionAttributeValues: { ':shard': shard, ':now': nowMs },
        Limit: limit,
      })),
    );
    return (output.Items ?? []).map((item) => ({ requestId: item.request_id as string, sweepAt: item.sweep_at as number }));
  }

  /**
   * Moves the request's next sweep from `seenAt` to `nextAt`, or takes it out of the index (`nextAt`
   * undefined). Answers the item, or undefined when someone else moved it first; so it also picks
   * one deliverer among sweepers racing for the same webhook.
   */
  async reschedule(requestId: string, seenAt: number, nextAt: SweepAt): Promise<StoredRequest | undefined> {
    const sweep = sweepClauses(requestId, nextAt);
    return this.updateIf(requestId, `${EXISTS} AND ${SWEEP_AS_SEEN}`, {
      UpdateExpression: nextAt === undefined ? sweep.remove.trim() : `SET ${sweep.set.slice(2)}`,
      ExpressionAttributeValues: { ...sweep.values, ':seenSweepAt': seenAt },
    });
  }

  /**
   * Records a delivery run of the request's webhook: its new state, and when to try next (or
   * nothing more to sweep). Only if no other run recorded since `seenAttempts`.
   */
  async recordDelivery(requestId: string, seenAttempts: number, callback: CallbackView, sweepAt: SweepAt): Promise<boolean> {
    const sweep = sweepClauses(requestId, sweepAt);
    const updated = await this.updateIf(requestId, `${EXISTS} AND #callback.#callbackStatus = :owed AND #callback.attempts = :seenAttempts`, {
      UpdateExpression: `SET #callback = :callback${sweep.set}${sweep.remove}`,
      ExpressionAttributeNames: { '#callback': 'callback', '#callbackStatus': 'status' },
      ExpressionAttributeValues: { ...sweep.values, ':owed': CallbackStatus.Pending, ':seenAttempts': seenAttempts, ':callback': callback },
    });
    return updated !== undefined;
  }

  /** Ends a request as `error` with `code` and `message`, if `condition` (with its `values` and `names`) holds; `sweepAt` as in {@link finish}. */
  private endAsError(
    requestId: string,
    condition: string,
    values: Record<string, unknown>,
    nowMs: number,
    code: ErrorCode,
    message: string,
    sweepAt: SweepAt,
    names: Record<string, string> = {},
  ): Promise<StoredRequest | undefined> {
    const sweep = sweepClauses(requestId, sweepAt);
    return this.updateIf(requestId, condition, {
      UpdateExpression: `SET #status = :error, #error = :message, error_code = :code, updated_at = :nowIso, lease_until = :zero${sweep.set}${sweep.remove}`,
      ExpressionAttributeNames: { ...names, '#error': 'error' },
      ExpressionAttributeValues: { ...values, ...sweep.values, ':error': RequestStatus.Error, ':message': message, ':code': code, ':nowIso': new Date(nowMs).toISOString(), ':zero': 0 },
    });
  }

  private async updateIf(
    requestId: string,
    condition: string,
    update: {
      UpdateExpression: string;
      ExpressionAttributeValues: Record<string, unknown>;
      ExpressionAttributeNames?: Record<string, string>;
    },
  ): Promise<StoredRequest | undefined> {
    try {
      const output = await this.call((client) =>
        client.send(new UpdateCommand({
          TableName: this.tableName,
          Key: { request_id: requestId },
          ConditionExpression: condition,
          UpdateExpression: update.UpdateExpression,
          ...attributeNames(`${condition} ${update.UpdateExpression}`, update.ExpressionAttributeNames),
          ExpressionAttributeValues: update.ExpressionAttributeValues,
          ReturnValues: 'ALL_NEW',
        })),
      );
      return output.Attributes as StoredRequest;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return undefined;
      throw error;
    }
  }

  /** Runs one SDK call, translating its failure into what the caller can act on. */
  private async call<T>(send: (client: DynamoDBDocumentClient) => Promise<T>): Promise<T> {
    try {
      return await send(this.client);
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) throw error;
      throw storageError(error, 'DynamoDB');
    }
  }
}
