import { describe, expect, it } from 'vitest';
import { corsHeaders, preflightHeaders } from '../../src/http/cors.js';
import { HttpError } from '../../src/http/http-error.js';
import { errorResponse } from '../../src/http/responses.js';
import { statusUrl } from '../../src/http/status-url.js';

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

describe('statusUrl', () => {
  const base = { headers: { Host: 'abc.execute-api.eu-west-1.amazonaws.com', 'X-Forwarded-Proto': 'https' }, path: '/v1/invoke' };

  it('keeps the stage that API Gateway strips from `path`', () => {
    const url = statusUrl({ ...base, requestContext: { path: '/api/v1/invoke' } as never }, 'id-1');
    expect(url).toBe('https://abc.execute-api.eu-west-1.amazonaws.com/api/v1/status/id-1');
  });

  it('keeps a prefix in front of /v1 when a {proxy+} route carries it in the path', () => {
    const url = statusUrl({ headers: { Host: 'api.example.com' }, path: '/v2/v1/invoke', requestContext: { path: '/v2/v1/invoke' } as never }, 'id-2');
    expect(url).toBe('https://api.example.com/v2/v1/status/id-2');
  });
});
