import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { DispatchFailedError } from './errors.js';

// Re-exported so the handler's one dynamic import brings the client too, and nothing more of the SDK.
export { LambdaClient };

/** What the function sends itself: run a stored request, or deliver its webhook. The id only; the rest stays in the table. */
export interface RequestEvent {
  action: 'process' | 'deliver';
  request_id: string;
  /** A deliver event the sweeper sends: the sweep entry it claimed for this run. */
  claim?: number;
  /** A process event a continuation sends: how many continuations in a row its chain of invocations has made (see lambda-chain.ts). */
  hops?: number;
}
export type ProcessEvent = RequestEvent & { action: 'process' };
export type DeliverEvent = RequestEvent & { action: 'deliver' };

/** What the schedule sends the function every minute. */
export interface SweepEvent {
  action: 'sweep';
}

/** Queues background work for a stored request: by default its run. */
export interface Dispatcher {
  dispatch(requestId: string, functionName: string, event?: Partial<Omit<RequestEvent, 'request_id'>>): Promise<void>;
}

const EVENT_ACCEPTED = 202;

/** Dispatches by invoking the function itself asynchronously, as Lambda's `Event` invocation type does. */
export function createLambdaDispatcher(client: LambdaClient): Dispatcher {
  return {
    async dispatch(requestId, functionName, options = {}) {
      const event: RequestEvent = { action: 'process', ...options, request_id: requestId };
      let statusCode: number | undefined;
      try {
        const output = await client.send(
          new InvokeCommand({
            FunctionName: functionName,
            InvocationType: 'Event',
            Payload: new TextEncoder().encode(JSON.stringify(event)),
          }),
        );
        statusCode = output.StatusCode;
      } catch (error) {
        throw new DispatchFailedError('async self-invoke failed', { cause: error });
      }
      if (statusCode !== EVENT_ACCEPTED) throw new DispatchFailedError(`async self-invoke answered ${statusCode}`);
    },
  };
}
