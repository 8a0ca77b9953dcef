import { CallbackStatus, ErrorCode, RequestStatus, type CallbackView, type Progress, type RequestView, type StepView } from '../contract.js';
import { sweepShard } from './sweep-index.js';
import { nextSweepAt } from './transitions.js';
import type { RequestInput } from '../tasks/task.js';

export type { RequestInput } from '../tasks/task.js';

/** A result kept in the results bucket, too large for the item. */
export interface ResultObject {
  key: string;
  size: number;
}

/** A file a task wrote, kept in the results bucket. */
export interface Artifact {
  name: string;
  key: string;
  size: number;
  content_type: string;
}

/** A completed step's result: in the item when small, else in the results bucket. */
export interface Checkpoint {
  /** The step's position in the task, from 1. */
  index: number;
  value?: unknown;
  object?: ResultObject;
}

/**
 * A piece of the output a task emitted (`ctx.emit`), numbered from 1: its text in the item, or in
 * the results bucket once the item has no room. `length` (UTF-16 units) and `step` (the step that
 * emitted it, if any) let a rerun of the same code skip what is already out.
 */
export interface OutputChunk {
  seq: number;
  length: number;
  step?: string;
  text?: string;
  object?: ResultObject;
}

/** One item of the requests table. */
export interface StoredRequest {
  request_id: string;
  status: RequestStatus;
  task: string;
  input: RequestInput;
  created_at: string;
  updated_at: string;
  /** Epoch seconds; DynamoDB's TTL deletes the item some time after this. */
  expires_at: number;
  /** Epoch milliseconds by which the request must be terminal. */
  deadline_at: number;
  /** Number of workers that have claimed the request; the fencing token of the current one. */
  attempt: number;
  max_attempts: number;
  /** Epoch milliseconds until which the current worker owns the request; 0 when none does. */
  lease_until: number;
  progress?: Progress;
  /** The result when it fits the item; `result_object` points at it in the bucket otherwise. */
  result?: unknown;
  result_object?: ResultObject;
  artifacts?: Artifact[];
  /**
   * Objects of files a later invocation wrote again under its own key: still in the bucket, they
   * count against MAX_OUTPUT_BYTES and are removed with the request's other objects.
   */
  replaced_objects?: ResultObject[];
  error?: string;
  error_code?: ErrorCode;
  /** Hash of the validated input, set when the request was created with an Idempotency-Key. */
  body_hash?: string;
  /** How many replays of its Idempotency-Key dispatched it again before a worker claimed it. */
  redispatches?: number;
  /** Who created the request (see auth/principal.ts; absent for the anonymous tenant): only they may see it. */
  owner?: string;
  /** Written before owners existed: the API key that created the request, read as its owner (see ownership.ts). */
  api_key_id?: string;
  /** The input's `session_id`, at the top level so the owner index can carry it. */
  session_id?: string;
  /** Where the completion webhook goes, and how its delivery stands. */
  callback_url?: string;
  callback?: CallbackView;
  /**
   * Set, with `sweep_at`, while the sweeper has something to check (see sweep-index.ts): removed
   * once the request ended and its webhook, if any, was delivered or given up.
   */
  sweep_shard?: string;
  /** Epoch milliseconds at which the sweeper next looks at the request. */
  sweep_at?: number;
  /** A multi-step task's completed steps, by name; set (empty) by the first claim. */
  steps?: Record<string, Checkpoint>;
  /** The step the task has reached. */
  step?: StepView;
  /** Times the request was handed back to go on in a fresh invocation. */
  continuations?: number;
  /** The output the task emitted so far, in order (see output-stream.ts). */
  output?: OutputChunk[];
  /** The last output chunk's `seq`; 0 or absent before any. */
  output_seq?: number;
}

/** Whether the request's webhook is still owed. */
export function owesCallback(item: Pick<StoredRequest, 'callback'>): boolean {
  return item.callback?.status === CallbackStatus.Pending;
}

/** What an item shows wherever it is shown (its view, a list of requests). */
export type ShownFields = Pick<StoredRequest, 'request_id' | 'status' | 'task' | 'created_at' | 'updated_at' | 'progress' | 'step' | 'error' | 'error_code'>;

/** The head of every showing of a request: who it is, where it stands, its session. */
export function headFields(item: ShownFields, sessionId: string | undefined): Pick<RequestView, 'request_id' | 'status' | 'task' | 'created_at' | 'updated_at' | 'session_id' | 'progress' | 'step'> {
  return {
    request_id: item.request_id,
    status: item.status,
    task: item.task,
    created_at: item.created_at,
    updated_at: item.updated_at,
    ...(sessionId !== undefined ? { session_id: sessionId } : {}),
    ...(item.progress !== undefined ? { progress: item.progress } : {}),
    ...(item.step !== undefined ? { step: item.step } : {}),
  };
}

/** Why a request failed, when it did. */
export function errorFields(item: ShownFields): Pick<RequestView, 'error' | 'error_code'> {
  return item.status === RequestStatus.Error ? { error: item.error, error_code: item.error_code } : {};
}

/** The public view of an item: never the input, the lease or the fencing token. */
export function toView(item: StoredRequest): RequestView {
  return {
    ...headFields(item, item.input.session_id),
    ...(item.status === RequestStatus.Complete ? { result: item.result } : {}),
    ...errorFields(item),
    ...(item.callback !== undefined ? { callback: item.callback } : {}),
  };
}

/** What a new request needs besides the clock: limits come from the configuration. */
export interface NewRequest {
  requestId: string;
  task: string;
  input: RequestInput;
  nowMs: number;
  ttlSeconds: number;
  deadlineSeconds: number;
  maxAttempts: number;
  bodyHash?: string;
  owner?: string;
  callbackUrl?: string;
  /** When the sweeper should dispatch the request again if no worker has claimed it. */
  sweepGraceSeconds: number;
}

/** The item `POST /v1/invoke` stores: pending, unclaimed, with its TTL and deadline set. */
export function newPendingRequest(request: NewRequest): StoredRequest {
  const nowIso = new Date(request.nowMs).toISOString();
  return {
    request_id: request.requestId,
    status: RequestStatus.Pending,
    task: request.task,
    input: request.input,
    created_at: nowIso,
    updated_at: nowIso,
    expires_at: Math.floor(request.nowMs / 1000) + request.ttlSeconds,
    deadline_at: request.nowMs + request.deadlineSeconds * 1000,
    attempt: 0,
    max_attempts: request.maxAttempts,
    lease_until: 0,
    ...(request.bodyHash !== undefined ? { body_hash: request.bodyHash } : {}),
    ...(request.owner !== undefined ? { owner: request.owner } : {}),
    ...(request.input.session_id !== undefined ? { session_id: request.input.session_id } : {}),
    ...(request.callbackUrl !== undefined ? { callback_url: request.callbackUrl, callback: { status: CallbackStatus.Pending, attempts: 0 } } : {}),
    sweep_shard: sweepShard(request.requestId),
    sweep_at: nextSweepAt({ on: 'submit', nowMs: request.nowMs, graceMs: request.sweepGraceSeconds * 1000 }),
  };
}
