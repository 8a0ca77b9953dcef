import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, loadLocalConfig, loadSecretParameters } from '../src/config.js';

const base = { REQUESTS_TABLE: 'requests', REQUEST_ID_SECRET: 'x'.repeat(32) };

describe('loadConfig', () => {
  it('applies the documented defaults when only the table and the secret are set', () => {
    const config = loadConfig(base);
    expect(config).toMatchObject({
      tableName: 'requests',
      ttlSeconds: 86_400,
      deadlineSeconds: 3600,
      maxAttempts: 3,
      corsAllowOrigins: '*',
      demoTaskMs: 3000,
      dynamodbEndpoint: undefined,
    });
  });

  it.each([
    [{}, /REQUESTS_TABLE must be set/],
    [{ REQUESTS_TABLE: 'a b' }, /REQUESTS_TABLE is not a valid/],
    [{ ...base, REQUEST_TTL_SECONDS: 'soon' }, /REQUEST_TTL_SECONDS must be a whole number, got "soon"/],
    [{ ...base, MAX_ATTEMPTS: '4' }, /MAX_ATTEMPTS must be between 1 and 3, got 4/],
    [{ ...base, REQUEST_TTL_SECONDS: '3600', REQUEST_DEADLINE_SECONDS: '3600' }, /REQUEST_DEADLINE_SECONDS \(3600\) must be shorter than REQUEST_TTL_SECONDS/],
    [{ ...base, CORS_ALLOW_ORIGINS: 'https://app.example.com/path' }, /CORS_ALLOW_ORIGINS entries must be bare origins/],
    [{ ...base, CORS_ALLOW_ORIGINS: 'not a url' }, /CORS_ALLOW_ORIGINS must be "\*" or a comma-separated list/],
    [{ ...base, DYNAMODB_ENDPOINT: 'ftp://x' }, /DYNAMODB_ENDPOINT must be an http\(s\) URL/],
    [{ REQUESTS_TABLE: 'requests' }, /REQUEST_ID_SECRET must be a random secret of at least 32 characters/],
    [{ ...base, REQUEST_ID_SECRET: 'short' }, /REQUEST_ID_SECRET must be a random secret/],
    [{ ...base, REQUEST_DEADLINE_SECONDS: '60', WORKER_LEASE_SECONDS: '60' }, /WORKER_LEASE_SECONDS \(60\) must be shorter than REQUEST_DEADLINE_SECONDS/],
  ])('rejects %j naming the variable', (env, message) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(message);
  });

  it('parses an origin list', () => {
    const config = loadConfig({ ...base, CORS_ALLOW_ORIGINS: 'https://a.example.com, http://localhost:5173' });
    expect(config.corsAllowOrigins).toEqual(['https://a.example.com', 'http://localhost:5173']);
  });
});

describe('AUTH and the JWT issuer', () => {
  it('defaults to api_key with no issuer', () => {
    expect(loadConfig(base)).toMatchObject({ auth: 'api_key', jwt: undefined });
  });

  it('takes jwt with an https issuer (http only on loopback) and an audience', () => {
    const jwt = { ...base, AUTH: 'jwt', JWT_ISSUER: 'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_abc', JWT_AUDIENCE: 'client-1' };
    expect(loadConfig(jwt)).toMatchObject({ auth: 'jwt', jwt: { issuer: jwt.JWT_ISSUER, audience: 'client-1' } });
    expect(loadConfig({ ...jwt, JWT_ISSUER: 'http://127.0.0.1:3004' }).jwt?.issuer).toBe('http://127.0.0.1:3004');
  });

  it('refuses a half-made setting, naming the variable', () => {
    expect(() => loadConfig({ ...base, AUTH: 'cognito' })).toThrow(/AUTH must be one of api_key, jwt, iam, none/);
    expect(() => loadConfig({ ...base, AUTH: 'jwt', JWT_AUDIENCE: 'a' })).toThrow(/AUTH=jwt needs JWT_ISSUER/);
    expect(() => loadConfig({ ...base, AUTH: 'jwt', JWT_ISSUER: 'https://idp.example.com' })).toThrow(/AUTH=jwt needs JWT_AUDIENCE/);
    expect(() => loadConfig({ ...base, AUTH: 'jwt', JWT_ISSUER: 'http://idp.example.com', JWT_AUDIENCE: 'a' })).toThrow(/JWT_ISSUER must be an https URL/);
    expect(() => loadConfig({ ...base, JWT_ISSUER: 'https://idp.example.com' })).toThrow(/read only with AUTH=jwt, and AUTH is api_key/);
  });
});

describe('secrets named by their SSM parameters', () => {
  const named = { REQUESTS_TABLE: 'requests', REQUEST_ID_SECRET_PARAMETER: '/router/request-id-secret', WEBHOOK_SECRET_PARAMETER: '/router/webhook-secret' };

  it('reads which parameters hold the secrets, and the local SSM endpoint', () => {
    expect(loadSecretParameters({ ...named, SSM_ENDPOINT: 'http://127.0.0.1:4583' })).toEqual({
      names: { REQUEST_ID_SECRET: '/router/request-id-secret', WEBHOOK_SECRET: '/router/webhook-secret' },
      ssmEndpoint: 'http://127.0.0.1:4583',
    });
    expect(loadSecretParameters(base)).toEqual({ names: {}, ssmEndpoint: undefined });
  });

  it.each([
    [{ ...named, REQUEST_ID_SECRET: 'x'.repeat(32) }, /REQUEST_ID_SECRET and REQUEST_ID_SECRET_PARAMETER are both set/],
    [{ ...named, WEBHOOK_SECRET_PARAMETER: 'no spaces please' }, /WEBHOOK_SECRET_PARAMETER must be an SSM parameter name/],
    [{ ...named, SSM_ENDPOINT: 'ftp://x' }, /SSM_ENDPOINT must be an http\(s\) URL/],
  ])('rejects %j naming the variable', (env, message) => {
    expect(() => loadSecretParameters(env)).toThrow(ConfigError);
    expect(() => loadSecretParameters(env)).toThrow(message);
  });

  it('takes a named secret from what was read, never from a variable of the same name', () => {
    const config = loadConfig({ ...named, REQUEST_ID_SECRET: 'e'.repeat(32) }, { REQUEST_ID_SECRET: 'p'.repeat(32) });
    expect(config.requestIdSecret).toBe('p'.repeat(32));
  });

  it('names the parameter when what it holds is not a secret', () => {
    expect(() => loadConfig(named, { REQUEST_ID_SECRET: 'short' })).toThrow(
      'REQUEST_ID_SECRET (the SSM parameter REQUEST_ID_SECRET_PARAMETER names, /router/request-id-secret) must be a random secret of at least 32 characters',
    );
  });
});

describe('loadLocalConfig', () => {
  it('defaults to port 3000 and the 29 s gateway cut, and checks bounds', () => {
    expect(loadLocalConfig({})).toMatchObject({ port: 3000, gatewayTimeoutMs: 29_000, lambdaTimeoutSeconds: 900 });
    expect(() => loadLocalConfig({ GATEWAY_TIMEOUT_MS: '30000' })).toThrow(/GATEWAY_TIMEOUT_MS must be between 100 and 29000/);
  });
});
