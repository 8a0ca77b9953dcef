// The lease keeper's thread: it renews the leases of the requests this process works on, writes
// their coalesced progress and checks they are still theirs, on an event loop of its own, so a
// task that keeps the main thread busy cannot let its lease lapse while it is in fact still alive.
// An entry of its own in the bundle (scripts/build/lambda.mjs); from the sources, lease.ts bundles it on first use.
import { parentPort, workerData } from 'node:worker_threads';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { createDocumentClient } from '../aws-clients.js';
import type { Progress, StepView } from '../contract.js';
import type { LeaseThreadData, ThreadMessage, ThreadRequest } from './lease-messages.js';
import {
  heartbeatUpdate,
  isHeldBy,
  isOwnershipCheckDue,
  isRenewalDue,
  leaseEnd,
  renewalTickMs,
} from './transitions.js';

const { tableName, clientConfig } = workerData as LeaseThreadData;
const client = createDocumentClient(clientConfig);
const port = parentPort!;

interface Lease {
  id: number;
  requestId: string;
  attempt: number;
  leaseMs: number;
  progressIntervalMs: number;
  invocationEndsAt: number;
  validUntil: BigInt64Array;
  marginMs: number;
  latest?: Progress;
  written?: Progress;
  latestStep?: StepView;
  writtenStep?: StepView;
  lastWriteAt: number;
  lastCheckAt: number;
  heartbeats: number;
  busy: boolean;
  timer?: NodeJS.Timeout;
  lapseTimer?: NodeJS.Timeout;
  released: boolean;
}

const leases = new Map<number, Lease>();

const send = (message: ThreadMessage) => port.postMessage(message);
const describe = (error: unknown) => (error instanceof Error ? `${error.name}: ${error.message}` : String(error));

/**
 * Records the lease's end as the main thread may trust it (a margin before what the table holds),
 * and arms a timer for that moment: a renewal that hangs or keeps failing must not delay the
 * news past it, or a takeover could start while the task still runs.
 */
function trustUntil(lease: Lease, leaseUntil: number): void {
  const validUntil = Math.floor(leaseUntil - lease.marginMs);
  Atomics.store(lease.validUntil, 0, BigInt(validUntil));
  clearTimeout(lease.lapseTimer);
  lease.lapseTimer = setTimeout(() => checkLapse(lease), Math.max(0, validUntil - Date.now()));
}

/** Reports the lease lapsed once the time it may be trusted has passed. */
function checkLapse(lease: Lease): void {
  if (!lease.released && Date.now() >= Number(Atomics.load(lease.validUntil, 0))) lose(lease, 'lapsed');
}

/** Renews the lease (and writes progress and the step reached) only while the request is still this attempt's. */
async function heartbeat(lease: Lease, at: number, progress: Progress | undefined, step: StepView | undefined): Promise<void> {
  const leaseUntil = leaseEnd(at, lease.leaseMs, lease.invocationEndsAt);
  try {
    const update = heartbeatUpdate(lease.attempt, at, leaseUntil, progress, step);
    await client.send(new UpdateCommand({ TableName: tableName, Key: { request_id: lease.requestId }, ...update }));
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) return lose(lease, 'superseded');
    return send({ type: 'log', level: 'warn', message: 'heartbeat failed; will retry', requestId: lease.requestId, error: describe(error) });
  }
  lease.lastWriteAt = at;
  lease.heartbeats += 1;
  if (progress) lease.written = progress;
  if (step) lease.writtenStep = step;
  trustUntil(lease, leaseUntil);
}

/** A consistent read notices a cancel between writes, at a fifth of a write's cost. */
async function checkOwnership(lease: Lease): Promise<void> {
  try {
    const { Item } = await client.send(
      new GetCommand({
        TableName: tableName,
        Key: { request_id: lease.requestId },
        ConsistentRead: true,
        ProjectionExpression: '#status, attempt',
        ExpressionAttributeNames: { '#status': 'status' },
      }),
    );
    if (!isHeldBy(Item, lease.attempt)) lose(lease, 'superseded');
  } catch (error) {
    send({ type: 'log', level: 'warn', message: 'ownership check failed; will retry', requestId: lease.requestId, error: describe(error) });
  }
}

function lose(lease: Lease, reason: 'superseded' | 'lapsed'): void {
  if (lease.released) return;
  stop(lease);
  send({ type: 'lost', id: lease.id, reason });
}

function stop(lease: Lease): void {
  lease.released = true;
  clearInterval(lease.timer);
  clearTimeout(lease.lapseTimer);
}

async function tick(lease: Lease): Promise<void> {
  const at = Date.now();
  const progress = lease.latest !== lease.written ? lease.latest : undefined;
  const step = lease.latestStep !== lease.writtenStep ? lease.latestStep : undefined;
  if (isRenewalDue(at - lease.lastWriteAt, lease.leaseMs, Boolean(progress || step), lease.progressIntervalMs)) return heartbeat(lease, at, progress, step);
  if (isOwnershipCheckDue(at - lease.lastCheckAt, lease.progressIntervalMs)) {
    lease.lastCheckAt = at;
    return checkOwnership(lease);
  }
}

function hold(held: Extract<ThreadRequest, { type: 'hold' }>['lease']): void {
  const lease: Lease = { ...held, lastWriteAt: held.heldAt, lastCheckAt: held.heldAt, heartbeats: 0, busy: false, released: false };
  leases.set(lease.id, lease);
  trustUntil(lease, Number(Atomics.load(lease.validUntil, 0)) + lease.marginMs);
  lease.timer = setInterval(() => {
    checkLapse(lease);
    if (lease.busy || lease.released) return;
    lease.busy = true;
    void tick(lease).finally(() => (lease.busy = false));
  }, renewalTickMs(lease.leaseMs, lease.progressIntervalMs));
}

port.on('message', (message: ThreadRequest) => {
  if (message.type === 'hold') return hold(message.lease);
  const lease = leases.get(message.id);
  if (lease === undefined) return;
  if (message.type === 'progress') lease.latest = message.progress;
  if (message.type === 'step') lease.latestStep = message.step;
  if (message.type === 'release') {
    // Not waiting for a renewal under way: it is conditional on the request still being this
    // attempt's and processing, so one that lands after the outcome simply fails.
    stop(lease);
    leases.delete(lease.id);
    send({ type: 'released', id: lease.id, heartbeats: lease.heartbeats });
  }
});
