// The lease keeper's thread: it renews the leases of the requests this process works on, writes
// their coalesced progress and checks they are still theirs, on an event loop of its own, so a
// task that keeps the main thread busy cannot let its lease lapse while it is in fact still alive.
// Plain JavaScript: it runs as it is under Node (tests, the local stack) and bundled in the zip.
import { parentPort, workerData } from 'node:worker_threads';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';

/** @type {{ tableName: string, clientConfig: Record<string, unknown> }} */
const { tableName, clientConfig } = workerData;
const client = DynamoDBDocumentClient.from(new DynamoDBClient(clientConfig));

/**
 * @typedef {{ percent: number, message: string }} Progress
 * @typedef {{ name: string, index: number, count?: number }} Step
 * @typedef {{
 *   id: number, requestId: string, attempt: number, leaseMs: number, progressIntervalMs: number,
 *   invocationEndsAt: number, validUntil: BigInt64Array, marginMs: number,
 *   latest?: Progress, written?: Progress, latestStep?: Step, writtenStep?: Step, lastWriteAt: number, lastCheckAt: number, heartbeats: number,
 *   busy: boolean, timer?: NodeJS.Timeout, lapseTimer?: NodeJS.Timeout, released: boolean,
 * }} Lease
 */

/** @type {Map<number, Lease>} */
const leases = new Map();

const send = (message) => parentPort.postMessage(message);
const describe = (error) => (error instanceof Error ? `${error.name}: ${error.message}` : String(error));

/**
 * Records the lease's end as the main thread may trust it (a margin before what the table holds),
 * and arms a timer for that moment: a renewal that hangs or keeps failing must not delay the
 * news past it, or a takeover could start while the task still runs.
 */
function trustUntil(lease, leaseUntil) {
  const validUntil = Math.floor(leaseUntil - lease.marginMs);
  Atomics.store(lease.validUntil, 0, BigInt(validUntil));
  clearTimeout(lease.lapseTimer);
  lease.lapseTimer = setTimeout(() => checkLapse(lease), Math.max(0, validUntil - Date.now()));
}

/** Reports the lease lapsed once the time it may be trusted has passed. */
function checkLapse(lease) {
  if (!lease.released && Date.now() >= Number(Atomics.load(lease.validUntil, 0))) lose(lease, 'lapsed');
}

function leaseEnd(lease, at) {
  return at + Math.min(lease.leaseMs, Math.max(0, lease.invocationEndsAt - at));
}

/** Renews the lease (and writes progress and the step reached) only while the request is still this attempt's. */
async function heartbeat(lease, at, progress, step) {
  const leaseUntil = leaseEnd(lease, at);
  try {
    await client.send(
      new UpdateCommand({
        TableName: tableName,
        Key: { request_id: lease.requestId },
        ConditionExpression: '#status = :processing AND attempt = :attempt',
        UpdateExpression: `SET lease_until = :lease, updated_at = :nowIso${progress ? ', progress = :progress' : ''}${step ? ', #step = :step' : ''}`,
        ExpressionAttributeNames: { '#status': 'status', ...(step ? { '#step': 'step' } : {}) },
        ExpressionAttributeValues: {
          ':processing': 'processing',
          ':attempt': lease.attempt,
          ':lease': leaseUntil,
          ':nowIso': new Date(at).toISOString(),
          ...(progress ? { ':progress': progress } : {}),
          ...(step ? { ':step': step } : {}),
        },
      }),
    );
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
async function checkOwnership(lease) {
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
    if (Item?.status !== 'processing' || Item.attempt !== lease.attempt) lose(lease, 'superseded');
  } catch (error) {
    send({ type: 'log', level: 'warn', message: 'ownership check failed; will retry', requestId: lease.requestId, error: describe(error) });
  }
}

function lose(lease, reason) {
  if (lease.released) return;
  stop(lease);
  send({ type: 'lost', id: lease.id, reason });
}

function stop(lease) {
  lease.released = true;
  clearInterval(lease.timer);
  clearTimeout(lease.lapseTimer);
}

async function tick(lease) {
  const at = Date.now();
  const progress = lease.latest !== lease.written ? lease.latest : undefined;
  const step = lease.latestStep !== lease.writtenStep ? lease.latestStep : undefined;
  const sinceWrite = at - lease.lastWriteAt;
  if (((progress || step) && sinceWrite >= lease.progressIntervalMs) || sinceWrite >= lease.leaseMs / 3) return heartbeat(lease, at, progress, step);
  if (at - lease.lastCheckAt >= lease.progressIntervalMs * 2) {
    lease.lastCheckAt = at;
    return checkOwnership(lease);
  }
}

parentPort.on('message', (message) => {
  if (message.type === 'hold') {
    /** @type {Lease} */
    const lease = { ...message.lease, lastWriteAt: message.lease.heldAt, lastCheckAt: message.lease.heldAt, heartbeats: 0, busy: false, released: false };
    leases.set(lease.id, lease);
    trustUntil(lease, Number(Atomics.load(lease.validUntil, 0)) + lease.marginMs);
    lease.timer = setInterval(() => {
      checkLapse(lease);
      if (lease.busy || lease.released) return;
      lease.busy = true;
      tick(lease).finally(() => (lease.busy = false));
    }, Math.max(10, Math.min(lease.progressIntervalMs, lease.leaseMs / 3)));
    return;
  }
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
