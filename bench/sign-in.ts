import type { APIGatewayProxyResult } from 'aws-lambda';
import type { JwtVerifier } from '../src/auth/jwt-verifier.js';
import { LIST_PATH } from '../src/contract.js';
import { restEvent } from '../test/support/events.js';
import { walkWhileSubmitting, type WalkReport } from '../test/support/list-walk.js';
import type { BenchStack } from './stack.js';
import { interleaved, median } from './stats.js';

const PROMPT = 'Signed-in users find their requests again. Nobody else sees them.';
const WARMUP = 30;
const LIST_PAGE = 20;

function expectStatus(result: unknown, status: number): APIGatewayProxyResult {
  const answer = result as APIGatewayProxyResult;
  if (answer.statusCode !== status) throw new Error(`handler answered ${answer.statusCode}, expected ${status}: ${answer.body}`);
  return answer;
}

async function submitted(stack: BenchStack, headers: Record<string, string>): Promise<string> {
  const answer = expectStatus(await stack.handler(restEvent('POST', '/v1/invoke', { body: { prompt: PROMPT }, headers }), stack.context()), 202);
  return JSON.parse(answer.body).request_id as string;
}

/** Status p50 through the handler on an API-key stack and on a bearer-token stack (keys cached after the warm-up), side by side. */
export async function measureVerifyOverhead(keyed: BenchStack, signed: BenchStack, token: string, runs: number): Promise<{ runs: number; keyedP50: number; signedP50: number }> {
  const headers = { Authorization: `Bearer ${token}` };
  const keyedId = await submitted(keyed, {});
  const signedId = await submitted(signed, headers);
  await Promise.all([keyed.lambda.idle(), signed.lambda.idle()]);
  const viaKey = async () => expectStatus(await keyed.handler(restEvent('GET', `/v1/status/${keyedId}`), keyed.context()), 200);
  const viaToken = async () => expectStatus(await signed.handler(restEvent('GET', `/v1/status/${signedId}`, { headers }), signed.context()), 200);
  await interleaved(WARMUP, viaKey, viaToken);
  const times = await interleaved(runs, viaKey, viaToken);
  return { runs, keyedP50: median(times.a), signedP50: median(times.b) };
}

/** One `verify` of a cached-key RS256 token alone, the part of a signed call the api_key mode does not do. */
export async function measureVerifyAlone(verifier: JwtVerifier, token: string, runs: number): Promise<number> {
  for (let run = 0; run < WARMUP; run += 1) await verifier.verify(token);
  const times: number[] = [];
  for (let run = 0; run < runs; run += 1) {
    const started = performance.now();
    await verifier.verify(token);
    times.push(performance.now() - started);
  }
  return median(times);
}

/** A page of 20 from `GET /v1/requests` against a status read, both through the handler with the same token. */
export async function measureListPage(signed: BenchStack, token: string, runs: number): Promise<{ runs: number; listP50: number; statusP50: number }> {
  const headers = { Authorization: `Bearer ${token}` };
  const ids: string[] = [];
  for (let index = 0; index < 2 * LIST_PAGE; index += 1) ids.push(await submitted(signed, headers));
  await signed.lambda.idle();
  const list = async () => {
    const answer = expectStatus(await signed.handler(restEvent('GET', LIST_PATH, { resource: LIST_PATH, headers, query: { limit: String(LIST_PAGE) } }), signed.context()), 200);
    if (JSON.parse(answer.body).requests.length !== LIST_PAGE) throw new Error('a page of the list was short');
  };
  const status = async () => expectStatus(await signed.handler(restEvent('GET', `/v1/status/${ids[0]}`, { headers }), signed.context()), 200);
  await interleaved(WARMUP, list, status);
  const times = await interleaved(runs, list, status);
  return { runs, listP50: median(times.a), statusP50: median(times.b) };
}

/** DynamoDB calls of one page of 20, counted on the wire by the stack's counting proxy. */
export async function countListCalls(counted: BenchStack, token: string): Promise<Record<string, number>> {
  const headers = { Authorization: `Bearer ${token}` };
  for (let index = 0; index < 2 * LIST_PAGE; index += 1) await submitted(counted, headers);
  await counted.lambda.idle();
  const before = counted.dynamoCalls.length;
  expectStatus(await counted.handler(restEvent('GET', LIST_PATH, { resource: LIST_PATH, headers, query: { limit: String(LIST_PAGE) } }), counted.context()), 200);
  const calls: Record<string, number> = {};
  for (const call of counted.dynamoCalls.slice(before)) calls[call.operation] = (calls[call.operation] ?? 0) + 1;
  return calls;
}

/** The walk of test/integration/list-walk.test.ts, over the bench stack's HTTP front. */
export function measureWalks(signed: BenchStack, tokens: [string, string], total: number): Promise<WalkReport> {
  const users = tokens.map((token) => ({ Authorization: `Bearer ${token}` })) as [Record<string, string>, Record<string, string>];
  return walkWhileSubmitting(signed.url, users, { total, concurrency: 8, pageSize: LIST_PAGE });
}
