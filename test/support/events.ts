import { DELIMITER_BYTES } from '../../src/local/lambda-streaming.mjs';
import type { StreamPrelude } from '../../src/local/stream-prelude.js';
import { randomUUID } from 'node:crypto';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { callerIdentity } from '../../src/local/proxy-events.js';
import { LOCAL_CREDENTIALS, LOCAL_REGION, type Stack } from '../../src/local/stack.js';

export interface RestEventOptions {
  /** API Gateway's resource template; `/{proxy+}` for the catch-all. Derived from the path when absent. */
  resource?: string;
  body?: unknown;
  headers?: Record<string, string>;
  query?: Record<string, string>;
  /** The API key id API Gateway puts in `requestContext.identity.apiKeyId` when keys are on. */
  apiKeyId?: string;
  domainName?: string;
  stage?: string;
}

const STATUS_PATH = /^\/v1\/status\/([^/]+)$/;

/** A REST API (v1 payload) proxy event as API Gateway sends it on an execute-api host with stage `api`. */
export function restEvent(method: string, path: string, options: RestEventOptions = {}): APIGatewayProxyEvent {
  const status = STATUS_PATH.exec(path);
  const resource = options.resource ?? (status ? '/v1/status/{request_id}' : path === '/v1/invoke' ? '/v1/invoke' : '/{proxy+}');
  const domainName = options.domainName ?? 'abc123.execute-api.eu-west-1.amazonaws.com';
  const stage = options.stage ?? 'api';
  const headers: Record<string, string> = {
    Accept: 'application/json',
    'Content-Type': 'application/json',
    Host: domainName,
    'X-Forwarded-Proto': 'https',
    ...options.headers,
  };
  const pathParameters =
    resource === '/{proxy+}' ? { proxy: path.slice(1) } : resource === '/v1/status/{request_id}' && status ? { request_id: status[1]! } : null;
  return {
    resource,
    path,
    httpMethod: method,
    headers,
    multiValueHeaders: Object.fromEntries(Object.entries(headers).map(([name, value]) => [name, [value]])),
    queryStringParameters: options.query ?? null,
    multiValueQueryStringParameters: options.query ? Object.fromEntries(Object.entries(options.query).map(([key, value]) => [key, [value]])) : null,
    pathParameters,
    stageVariables: null,
    body: options.body === undefined ? null : typeof options.body === 'string' ? options.body : JSON.stringify(options.body),
    isBase64Encoded: false,
    requestContext: {
      accountId: '000000000000',
      apiId: 'abc123',
      authorizer: null,
      protocol: 'HTTP/1.1',
      httpMethod: method,
      path: `/${stage}${path}`,
      stage,
      requestId: randomUUID(),
      requestTimeEpoch: Date.now(),
      resourceId: 'res123',
      resourcePath: resource,
      domainName,
      identity: { ...callerIdentity('203.0.113.7', 'test'), apiKeyId: options.apiKeyId ?? null, apiKey: options.apiKeyId ? 'secret-key' : null },
    },
  };
}

/** The function's answer to a proxy event, sent through the local Lambda Invoke API with the real SDK client. */
/**
 * The function's answer as a front reads it: the JSON result, or for an event of a front that
 * streams (a function URL's), the HttpResponseStream prelude and the body after it, which is what
 * a plain Invoke of a response-streaming function returns.
 */
function answerOf(bytes: Buffer): APIGatewayProxyResult {
  const parsed = JSON.parse(bytes.toString('utf8')) as APIGatewayProxyResult | string;
  // The local service hands back a streamed answer that is not JSON as a JSON string.
  if (typeof parsed !== 'string') return parsed;
  const payload = Buffer.from(parsed, 'utf8');
  const at = payload.indexOf(Buffer.alloc(DELIMITER_BYTES));
  if (at < 0) throw new Error(`the function answered neither JSON nor a stream: ${parsed.slice(0, 200)}`);
  const prelude = JSON.parse(payload.subarray(0, at).toString('utf8')) as StreamPrelude;
  return { statusCode: prelude.statusCode ?? 200, headers: prelude.headers ?? {}, body: payload.subarray(at + DELIMITER_BYTES).toString('utf8') };
}

export async function invokeThroughLambda(stack: Stack, event: unknown): Promise<APIGatewayProxyResult & { json: any }> {
  const client = new LambdaClient({ endpoint: stack.lambda.endpoint, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS, maxAttempts: 1 });
  try {
    const output = await client.send(
      new InvokeCommand({ FunctionName: 'async-router', InvocationType: 'RequestResponse', Payload: new TextEncoder().encode(JSON.stringify(event)) }),
    );
    if (output.FunctionError) throw new Error(`function error: ${new TextDecoder().decode(output.Payload)}`);
    const result = answerOf(Buffer.from(output.Payload ?? new Uint8Array()));
    return { ...result, json: result.body ? JSON.parse(result.body) : undefined };
  } finally {
    client.destroy();
  }
}
