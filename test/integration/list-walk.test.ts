import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOCAL_AUDIENCE } from '../../src/local/oidc-issuer.js';
import type { Stack } from '../../src/local/stack.js';
import { walkWhileSubmitting } from '../support/list-walk.js';
import { startTestStack } from '../support/stack.js';

const REQUESTS = 250;

describe('GET /v1/requests while two users submit', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startTestStack({ localIssuer: { port: 0 }, env: { DEMO_TASK_MS: '0' } });
  });
  afterAll(() => stack?.stop());

  it(`lists each of the walker's ${REQUESTS / 2} requests exactly once in every walk, and none of the other user's`, async () => {
    const bearer = async (sub: string) => ({ Authorization: `Bearer ${await stack.issuer!.sign({ sub, aud: LOCAL_AUDIENCE })}` });

    const report = await walkWhileSubmitting(stack.url, [await bearer('walker'), await bearer('other')], { total: REQUESTS, concurrency: 8, pageSize: 20 });

    expect(report.walks).toBeGreaterThan(1);
    expect({ duplicates: report.duplicates, foreign: report.foreign, missing: report.missing }).toEqual({ duplicates: 0, foreign: 0, missing: 0 });
    expect({ accepted: report.accepted, listedAtEnd: report.listedAtEnd }).toEqual({ accepted: REQUESTS / 2, listedAtEnd: REQUESTS / 2 });
  }, 120_000);
});
