import type { APIGatewayProxyEvent, APIGatewayProxyEventV2 } from 'aws-lambda';
import type { DeliverEvent, ProcessEvent, SweepEvent } from './requests/dispatcher.js';

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

/** Our own async event; it carries the id only, so a forged one can at most run a stored request. */
export function isProcessEvent(event: unknown): event is ProcessEvent {
  return (
    isObject(event) &&
    event.action === 'process' &&
    typeof event.request_id === 'string' &&
    (event.hops === undefined || (typeof event.hops === 'number' && Number.isInteger(event.hops) && event.hops >= 0))
  );
}

/** Asks for an ended request's webhook to be delivered now (sent after a cancel). */
export function isDeliverEvent(event: unknown): event is DeliverEvent {
  return isObject(event) && event.action === 'deliver' && typeof event.request_id === 'string' && (event.claim === undefined || typeof event.claim === 'number');
}

/** The schedule's call to sweep the table. */
export function isSweepEvent(event: unknown): event is SweepEvent {
  return isObject(event) && event.action === 'sweep';
}

/** An API Gateway REST API (v1 payload) proxy event. */
export function isRestApiEvent(event: unknown): event is APIGatewayProxyEvent {
  return isObject(event) && typeof event.httpMethod === 'string' && isObject(event.requestContext);
}

/** An HTTP API or Lambda function URL event (payload 2.0). */
export function isHttpApiEvent(event: unknown): event is APIGatewayProxyEventV2 {
  return isObject(event) && event.version === '2.0' && isObject(event.requestContext) && isObject(event.requestContext.http);
}
