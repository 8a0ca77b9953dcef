// Attacks on issue 22.6 (the local S3 verifies SigV4, src/local/s3-signature.ts): requests real S3
// refuses that the local gate lets through. Each test names its fault; all run against the real gate
// and s3rver over sockets, signed by the SDK.
import { GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startS3, type S3Server } from '../../src/local/s3-server.js';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../../src/local/stack.js';

const BUCKET = 'signature-attacks';
const KEY = 'requests/victim/report.html';
const GENUINE = '<p>what the signer meant to store</p>';
const DAY_MS = 86_400_000;

describe('attacks on the local S3 signature check (issue 22.6)', () => {
  let s3: S3Server;
  let client: S3Client;

  beforeAll(async () => {
    s3 = await startS3({ bucket: BUCKET });
    client = new S3Client({ endpoint: s3.endpoint, forcePathStyle: true, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS });
  });
  afterAll(async () => {
    client?.destroy();
    await s3?.stop();
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
