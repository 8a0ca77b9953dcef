import { describe, expect, it } from 'vitest';
import { corsHeaders, preflightHeaders } from '../../src/http/cors.js';
import { HttpError } from '../../src/http/http-error.js';
import { errorResponse } from '../../src/http/responses.js';
import { httpApiBaseUrl, restApiBaseUrl, statusUrl } from '../../src/http/base-url.js';

describe('errorResponse', () => {
  it('shows a 4xx message and field to the caller', () => {
    const response = errorResponse(new HttpError(400, 'invalid_request', 'prompt: is required', { field: 'prompt' }), 'aws-1');
    expect(JSON.parse(response.body)).toEqual({ error: 'prompt: is required', error_code: 'invalid_request', field: 'prompt' });
  });

  it('replaces a 5xx message with a generic sentence and the reference, keeping Retry-After', () => {
    const response = errorResponse(
      new HttpError(503, 'service_unavailable', 'connect ECONNREFUSED 10.0.0.1:443', { headers: { 'Retry-After': '2' } }),
      'aws-2',
    );
    expect(response.body).not.toContain('ECONNREFUSED');
    expect(JSON.parse(response.body)).toMatchObject({ error_code: 'service_unavailable', reference: 'aws-2' });
    expect(response.headers).toMatchObject({ 'Retry-After': '2' });
  });
});

describe('corsHeaders', () => {
  it('allows any origin with "*" and exposes Location and Retry-After', () => {
    expect(corsHeaders('*', 'https://x.example')).toEqual({
      'Access-Control-Allow-Origin': '*',
      'Access-Control-Expose-Headers': 'Location,Retry-After',
    });
  });

  it('echoes a listed origin, omits others, and varies on Origin', () => {
    const allowed = ['https://app.example.com'];
    expect(corsHeaders(allowed, 'https://app.example.com')).toMatchObject({ 'Access-Control-Allow-Origin': 'https://app.example.com', Vary: 'Origin' });
    expect(corsHeaders(allowed, 'https://evil.example')['Access-Control-Allow-Origin']).toBeUndefined();
    expect(preflightHeaders()['Access-Control-Allow-Headers']).toContain('Idempotency-Key');
  });
});

describe('status URLs', () => {
  const id = 'id-1';
  const rest = (requestContext: Record<string, unknown>, path = '/v1/invoke') => statusUrl(restApiBaseUrl({ path, requestContext: requestContext as never }), id);
  const http = (requestContext: Record<string, unknown>) => statusUrl(httpApiBaseUrl({ requestContext: requestContext as never }), id);

  it('puts the stage of an execute-api host in front, with or without requestContext.path', () => {
    const domainName = 'abc.execute-api.eu-west-1.amazonaws.com';
    expect(rest({ domainName, stage: 'api', path: '/api/v1/invoke' })).toBe(`https://${domainName}/api/v1/status/id-1`);
    expect(rest({ domainName, stage: 'api' })).toBe(`https://${domainName}/api/v1/status/id-1`);
    expect(rest({ domainName, stage: '$default' })).toBe(`https://${domainName}/v1/status/id-1`);
    expect(http({ domainName, stage: 'api' })).toBe(`https://${domainName}/api/v1/status/id-1`);
    expect(http({ domainName, stage: '$default' })).toBe(`https://${domainName}/v1/status/id-1`);
  });

  it("keeps a custom domain's base path mapping, taken from requestContext.path", () => {
    expect(rest({ domainName: 'api.example.com', stage: 'prod', path: '/v2/v1/invoke' })).toBe('https://api.example.com/v2/v1/status/id-1');
    expect(rest({ domainName: 'api.example.com', stage: 'prod', path: '/v1/invoke' })).toBe('https://api.example.com/v1/status/id-1');
  });

  it('uses a function URL as it is', () => {
    expect(http({ domainName: 'abcdefghij.lambda-url.eu-west-1.on.aws', stage: '$default' })).toBe('https://abcdefghij.lambda-url.eu-west-1.on.aws/v1/status/id-1');
  });

  it('is plain HTTP only on loopback, the local stack', () => {
    expect(rest({ domainName: '127.0.0.1:3000', stage: 'local', path: '/v1/invoke' })).toBe('http://127.0.0.1:3000/v1/status/id-1');
  });

  it('never takes a scheme or host from text a caller could shape; falls back to a relative URL', () => {
    for (const domainName of ['evil.example/path', 'javascript:alert(1)', 'a b', '', undefined, 'x@evil.example']) {
      expect(rest({ domainName, stage: 'api', path: '/v1/invoke' })).toBe('/v1/status/id-1');
      expect(http({ domainName, stage: 'api' })).toBe('/v1/status/id-1');
    }
    expect(rest({ domainName: 'api.example.com', path: '/%2F%2Fevil.example/v1/invoke' })).toBe('https://api.example.com/v1/status/id-1');
  });
});
