import { describe, expect, it } from 'vitest';
import { matchRoute } from '../../src/http/router.js';

const id = '0b7c6f1e-8d7a-4c3e-9d3b-2f0a1b2c3d4e';

describe('matchRoute', () => {
  it('routes on API Gateway resource and path parameters', () => {
    expect(matchRoute({ resource: '/v1/status/{request_id}', method: 'GET', params: { request_id: id } })).toEqual({
      kind: 'route',
      name: 'status',
      params: { request_id: id },
    });
  });

  it('never routes the {proxy+} catch-all or a parent resource, whatever the path', () => {
    for (const resource of ['/{proxy+}', '/', '/v1', '/v1/status', '/constructor', '__proto__', '']) {
      for (const method of ['POST', 'GET', 'DELETE', 'OPTIONS']) {
        expect(matchRoute({ resource, method, params: { proxy: `x/v1/status/${id}` } })).toEqual({ kind: 'not_found' });
      }
    }
  });

  it('answers preflight, method-not-allowed with Allow, and not-found', () => {
    expect(matchRoute({ resource: '/v1/invoke', method: 'OPTIONS', params: {} })).toEqual({ kind: 'preflight' });
    expect(matchRoute({ resource: '/v1/invoke', method: 'GET', params: {} })).toEqual({
      kind: 'method_not_allowed',
      allow: 'POST, OPTIONS',
    });
  });
});
