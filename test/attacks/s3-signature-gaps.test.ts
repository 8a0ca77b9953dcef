// Attacks on issue 22.6 (the local S3 verifies SigV4, src/local/s3-signature.ts): requests real S3
// refuses that the local gate lets through. Each test names its fault; all run against the real gate
// and s3rver over sockets, signed by the SDK's own signer.
import { createHash, createHmac } from 'node:crypto';
import { request } from 'node:http';
import { GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { SignatureV4 } from '@smithy/signature-v4';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startS3, type S3Server } from '../../src/local/s3-server.js';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../../src/local/stack.js';

const BUCKET = 'signature-attacks';
const KEY = 'requests/victim/report.html';
const GENUINE = '<p>what the signer meant to store</p>';
const FORGED = '<p>what an attacker put there!!!!!</p>';
const DAY_MS = 86_400_000;

/** The SHA-256 the SDK's signer expects (an HMAC when given a key). */
class Sha256 {
  private readonly hash;
  constructor(key?: string | Uint8Array) {
    this.hash = key === undefined ? createHash('sha256') : createHmac('sha256', key);
  }
  update(data: string | Uint8Array): void {
    this.hash.update(data);
  }
  async digest(): Promise<Uint8Array> {
    return this.hash.digest();
  }
}

const sha256Hex = (text: string) => createHash('sha256').update(text).digest('hex');

/** Sends `body` with `headers` to the gate, answers the status and the body S3 gave back. */
function send(endpoint: string, method: string, path: string, headers: Record<string, string>, body: string): Promise<{ status: number; text: string }> {
  const url = new URL(endpoint);
  return new Promise((resolve, reject) => {
    const outgoing = request({ host: url.hostname, port: url.port, method, path, headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) } }, (answer) => {
      const chunks: Buffer[] = [];
      answer.on('data', (chunk: Buffer) => chunks.push(chunk));
      answer.on('end', () => resolve({ status: answer.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
      answer.on('error', reject);
    });
    outgoing.on('error', reject);
    outgoing.end(body);
  });
}

describe('attacks on the local S3 signature check (issue 22.6)', () => {
  let s3: S3Server;
  let client: S3Client;
  const read = async () => (await (await client.send(new GetObjectCommand({ Bucket: BUCKET, Key: KEY }))).Body!.transformToString());

  beforeAll(async () => {
    s3 = await startS3({ bucket: BUCKET });
    client = new S3Client({ endpoint: s3.endpoint, forcePathStyle: true, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS });
  });
  afterAll(async () => {
    client?.destroy();
    await s3?.stop();
  });

  // FAULT: the payload hash a header-signed PUT declares (x-amz-content-sha256, signed) is never
  // compared with the body that arrives, so a body swapped after signing is stored under a valid
  // signature. S3 answers 400 XAmzContentSHA256Mismatch and stores nothing.
  it('refuses a header-signed PUT whose body is not the one its signed payload hash names', async () => {
    await client.send(new PutObjectCommand({ Bucket: BUCKET, Key: KEY, Body: GENUINE, ContentType: 'text/html' }));
    const url = new URL(s3.endpoint);
    const path = `/${BUCKET}/${KEY}`;
    const signer = new SignatureV4({ credentials: LOCAL_CREDENTIALS, region: LOCAL_REGION, service: 's3', sha256: Sha256, uriEscapePath: false, applyChecksum: false });
    const signed = await signer.sign({
      method: 'PUT',
      protocol: 'http:',
      hostname: url.hostname,
      port: Number(url.port),
      path,
      query: {},
      headers: { host: url.host, 'content-type': 'text/html', 'x-amz-content-sha256': sha256Hex(GENUINE) },
      body: GENUINE,
    });

    const answer = await send(s3.endpoint, 'PUT', path, signed.headers, FORGED);

    expect(answer.status).toBe(400);
    expect(answer.text).toContain('XAmzContentSHA256Mismatch');
    expect(await read()).toBe(GENUINE);
  });

  // FAULT: a presigned URL dated in the future is served now: the gate checks only
  // `now > date + expires`, so a URL "signed" a year ahead with the 7-day maximum works for a
  // year and a week, past the longest life S3 allows. S3 answers 403 "Request is not yet valid".
  it('refuses a presigned URL whose X-Amz-Date is a year ahead', async () => {
    await client.send(new PutObjectCommand({ Bucket: BUCKET, Key: KEY, Body: GENUINE, ContentType: 'text/html' }));
    const url = await getSignedUrl(client, new GetObjectCommand({ Bucket: BUCKET, Key: KEY }), { expiresIn: 604_800, signingDate: new Date(Date.now() + 365 * DAY_MS) });

    const response = await fetch(url);
    const text = await response.text();

    expect(response.status).toBe(403);
    expect(text).not.toContain(GENUINE);
  });

  // FAULT: the region and service of the credential scope are taken from the request itself, never
  // compared with the bucket's: a client configured for another region (or a URL signed for another
  // service) is served, so a region misconfiguration passes locally. S3 answers 400
  // AuthorizationHeaderMalformed ("the region 'eu-west-1' is wrong; expecting 'us-east-1'").
  it('refuses a request signed for another region than the bucket\'s', async () => {
    await client.send(new PutObjectCommand({ Bucket: BUCKET, Key: KEY, Body: GENUINE, ContentType: 'text/html' }));
    const elsewhere = new S3Client({ endpoint: s3.endpoint, forcePathStyle: true, region: 'eu-west-1', credentials: LOCAL_CREDENTIALS, maxAttempts: 1 });
    try {
      await expect(elsewhere.send(new GetObjectCommand({ Bucket: BUCKET, Key: KEY }))).rejects.toMatchObject({ $metadata: { httpStatusCode: 400 } });
    } finally {
      elsewhere.destroy();
    }
  });
});
