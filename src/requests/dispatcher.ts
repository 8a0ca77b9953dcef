import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { DispatchFailedError } from './errors.js';

// Re-exported so the handler's one dynamic import brings the client too, and nothing more of the SDK.
export { LambdaClient };

/** The only payload the function sends itself: the id; the input stays in the table. */
export interface ProcessEvent {
  action: 'process';
  request_id: string;
}

/** Queues the background work for a stored request. */
export interface Dispatcher {
  dispatch(requestId: string, functionName: string): Promise<void>;
}

const EVENT_ACCEPTED = 202;

/** Dispatches by invoking the function itself asynchronously, as Lambda's `Event` invocation type does. */
export function createLambdaDispatcher(client: LambdaClient): Dispatcher {
  return {
    async dispatch(requestId, functionName) {
      const event: ProcessEvent = { action: 'process', request_id: requestId };
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
