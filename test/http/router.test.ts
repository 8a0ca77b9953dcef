import { describe, expect, it } from 'vitest';
import { matchRoute } from '../../src/http/router.js';

const id = '0b7c6f1e-8d7a-4c3e-9d3b-2f0a1b2c3d4e';

describe('matchRoute', () => {
  it('routes on API Gateway resource and path parameters', () => {
    expect(matchRoute({ resource: '/v1/status/{request_id}', path: '/anything', httpMethod: 'GET', pathParameters: { request_id: id } })).toEqual({
      kind: 'route',
      name: 'status',
      params: { request_id: id },
    });
  });

  it('falls back to the path behind a {proxy+} resource, a stage or a custom-domain base path', () => {
    for (const path of [`/v1/status/${id}`, `/api/v1/status/${id}`, `/myapi/v1/status/${id}/`]) {
      expect(matchRoute({ resource: '/{proxy+}', path, httpMethod: 'DELETE', pathParameters: null })).toMatchObject({ name: 'cancel', params: { request_id: id } });
    }
  });

  it('answers preflight, method-not-allowed with Allow, and not-found', () => {
    expect(matchRoute({ resource: '/v1/invoke', path: '/v1/invoke', httpMethod: 'OPTIONS', pathParameters: null })).toEqual({ kind: 'preflight' });
    expect(matchRoute({ resource: '/v1/invoke', path: '/v1/invoke', httpMethod: 'GET', pathParameters: null })).toEqual({
      kind: 'method_not_allowed',
      allow: 'POST, OPTIONS',
    });
    expect(matchRoute({ resource: '/{proxy+}', path: '/v2/invoke', httpMethod: 'POST', pathParameters: null })).toEqual({ kind: 'not_found' });
    expect(matchRoute({ resource: '/{proxy+}', path: '/v1/invokes', httpMethod: 'POST', pathParameters: null })).toEqual({ kind: 'not_found' });
  });
});
