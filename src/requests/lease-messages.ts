import type { Progress, StepView } from '../contract.js';

/** Why a held lease ended before it was released: another attempt, a cancel or the deadline took the request, or it ran out unrenewed. */
export type LeaseLoss = 'superseded' | 'lapsed';

/** What the lease keeper's thread is started with: plain data, as a thread takes it. */
export interface LeaseThreadData {
  tableName: string;
  /** The DynamoDB client's settings (region, endpoint, credentials, timeouts), for the same document client the store uses. */
  clientConfig: Record<string, unknown>;
}

export interface LeaseTerms {
  requestId: string;
  /** The worker's fencing token: every renewal is conditional on it. */
  attempt: number;
  leaseMs: number;
  /** The lease's end as the claim wrote it. */
  leaseUntil: number;
  progressIntervalMs: number;
  /** When the invocation will be stopped: no lease is renewed past it. */
  invocationEndsAt: number;
}

/** A lease as the main thread hands it to the thread. */
export interface HeldLeaseTerms extends LeaseTerms {
  id: number;
  heldAt: number;
  marginMs: number;
  /** Shared with the main thread: until when it may trust the lease. */
  validUntil: BigInt64Array;
}

/** Main thread to lease thread. */
export type ThreadRequest =
  | { type: 'hold'; lease: HeldLeaseTerms }
  | { type: 'progress'; id: number; progress: Progress }
  | { type: 'step'; id: number; step: StepView }
  | { type: 'release'; id: number };

/** Lease thread to main thread. */
export type ThreadMessage =
  | { type: 'lost'; id: number; reason: LeaseLoss }
  | { type: 'released'; id: number; heartbeats: number }
  | { type: 'log'; level: 'warn' | 'error'; message: string; requestId: string; error: string };
