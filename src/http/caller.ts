import type { APIGatewayProxyEvent } from 'aws-lambda';

/**
 * The id of the API key API Gateway checked for this call, when the API requires keys: the tenant
 * a request belongs to. Undefined when keys are off (API Gateway then sends null).
 */
export function callerKeyId(event: Pick<APIGatewayProxyEvent, 'requestContext'>): string | undefined {
  const id = event.requestContext?.identity?.apiKeyId;
  return typeof id === 'string' && id !== '' ? id : undefined;
}
