import { readFileSync } from 'node:fs';
import type { APIGatewayProxyEvent, APIGatewayProxyEventV2 } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { fromHttpApiEvent, fromRestEvent } from '../../src/http/api-request.js';

const fixture = (name: string) => JSON.parse(readFileSync(new URL(`../fixtures/events/${name}.json`, import.meta.url), 'utf8'));
const COGNITO = 'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_Example';

describe('what the front verified, read from the event', () => {
  it('a REST API key and a Cognito user pool authorizer’s claims', () => {
    const event = fixture('rest-api-no-context-path') as APIGatewayProxyEvent;
    event.requestContext.identity = { ...event.requestContext.identity, apiKeyId: 'key-1' };
    event.requestContext.authorizer = { claims: { iss: COGNITO, sub: 'u-1', email: 'a@example.com' } };

    expect(fromRestEvent(event).identity).toEqual({ apiKeyId: 'key-1', claims: { iss: COGNITO, sub: 'u-1', email: 'a@example.com' } });
  });

  it('an HTTP API JWT authorizer’s claims', () => {
    const event = fixture('http-api-v2') as APIGatewayProxyEventV2;
    (event.requestContext as unknown as Record<string, unknown>).authorizer = { jwt: { claims: { iss: COGNITO, sub: 'u-2' }, scopes: null } };

    expect(fromHttpApiEvent(event).identity).toEqual({ claims: { iss: COGNITO, sub: 'u-2' } });
  });

  it('a function URL’s IAM caller', () => {
    const event = fixture('function-url') as APIGatewayProxyEventV2;
    (event.requestContext as unknown as Record<string, unknown>).authorizer = { iam: { accountId: '111122223333', userArn: 'arn:aws:iam::111122223333:user/example-user', userId: 'AIDA' } };

    expect(fromHttpApiEvent(event).identity).toEqual({ iamCaller: 'arn:aws:iam::111122223333:user/example-user' });
  });

  it('a bearer token the front did not verify, from the Authorization header only', () => {
    const event = fixture('function-url') as APIGatewayProxyEventV2;
    event.headers = { ...event.headers, Authorization: 'Bearer aaa.bbb.ccc', 'x-amzn-oidc-data': 'not-ours' };

    expect(fromHttpApiEvent(event).identity).toEqual({ bearer: 'aaa.bbb.ccc' });
  });

  it('nothing, when the front verified nothing and no token came', () => {
    expect(fromHttpApiEvent(fixture('http-api-v2') as APIGatewayProxyEventV2).identity).toEqual({});
  });
});
