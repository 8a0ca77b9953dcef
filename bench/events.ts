import type { APIGatewayProxyEvent } from 'aws-lambda';
import { callerIdentity } from '../src/local/api-gateway.js';

/**
 * A REST API (v1 payload) proxy event as API Gateway sends it for our resources, with the headers
 * a browser's call carries; what the handler gets in AWS for `POST /v1/invoke` and `GET /v1/status/{id}`.
 */
export function restEvent(method: string, path: string, options: { body?: unknown; query?: Record<string, string> } = {}): APIGatewayProxyEvent {
  const status = /^\/v1\/status\/([^/]+)$/.exec(path);
  const resource = status ? '/v1/status/{request_id}' : '/v1/invoke';
  const headers: Record<string, string> = {
    Accept: 'application/json',
    'Content-Type': 'application/json',
    Host: 'abc123.execute-api.us-east-1.amazonaws.com',
    'User-Agent': 'bench',
    'X-Forwarded-For': '203.0.113.7',
    'X-Forwarded-Port': '443',
    'X-Forwarded-Proto': 'https',
  };
  const multiValueHeaders = Object.fromEntries(Object.entries(headers).map(([name, value]) => [name, [value]]));
  const query = options.query ?? null;
  return {
    resource,
    path,
    httpMethod: method,
    headers,
    multiValueHeaders,
    queryStringParameters: query,
    multiValueQueryStringParameters: query && Object.fromEntries(Object.entries(query).map(([key, value]) => [key, [value]])),
    pathParameters: status ? { request_id: status[1]! } : null,
    stageVariables: null,
    body: options.body === undefined ? null : JSON.stringify(options.body),
    isBase64Encoded: false,
    requestContext: {
      accountId: '000000000000',
      apiId: 'abc123',
      authorizer: null,
      protocol: 'HTTP/1.1',
      httpMethod: method,
      path: `/prod${path}`,
      stage: 'prod',
      requestId: crypto.randomUUID(),
      requestTimeEpoch: Date.now(),
      resourceId: 'res123',
      resourcePath: resource,
      domainName: 'abc123.execute-api.us-east-1.amazonaws.com',
      identity: callerIdentity('203.0.113.7', 'bench'),
    },
  };
}
