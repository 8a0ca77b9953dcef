import { GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startS3, type S3Server } from '../../src/local/s3-server.js';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../../src/local/stack.js';

const BUCKET = 'signature-checks';
const KEY = 'requests/some id/report.html';
const BODY = '<p>the whole object</p>';

describe('the local S3 checks signatures as S3 does', () => {
  let s3: S3Server;
  let client: S3Client;
  const objectUrl = () => `${s3.endpoint}/${BUCKET}/${encodeURIComponent(KEY).replaceAll('%2F', '/')}`;
  const presign = (options: { expiresIn: number; signingDate?: Date }) => getSignedUrl(client, new GetObjectCommand({ Bucket: BUCKET, Key: KEY }), options);

  beforeAll(async () => {
    s3 = await startS3({ bucket: BUCKET });
    client = new S3Client({ endpoint: s3.endpoint, forcePathStyle: true, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS });
    await client.send(new PutObjectCommand({ Bucket: BUCKET, Key: KEY, Body: BODY, ContentType: 'text/html' }));
  });
  afterAll(async () => {
    client?.destroy();
    await s3?.stop();
  });

  it('serves a header-signed GET from the SDK', async () => {
    const object = await client.send(new GetObjectCommand({ Bucket: BUCKET, Key: KEY }));
    expect(await object.Body!.transformToString()).toBe(BODY);
  });

  it('serves a valid presigned URL, with CORS for a browser', async () => {
    const response = await fetch(await presign({ expiresIn: 60 }), { headers: { Origin: 'http://127.0.0.1:3000' } });
    expect(response.status).toBe(200);
    expect(response.headers.get('access-control-allow-origin')).toBe('*');
    expect(await response.text()).toBe(BODY);
  });

  it('answers an unsigned GET with 403 AccessDenied and none of the object', async () => {
    const response = await fetch(objectUrl());
    const text = await response.text();
    expect(response.status).toBe(403);
    expect(text).toContain('<Code>AccessDenied</Code>');
    expect(text).not.toContain(BODY);
  });

  it('answers a presigned URL whose signature was tampered with by 403 SignatureDoesNotMatch', async () => {
    const url = new URL(await presign({ expiresIn: 60 }));
    const signature = url.searchParams.get('X-Amz-Signature')!;
    url.searchParams.set('X-Amz-Signature', `${signature.slice(0, -1)}${signature.endsWith('0') ? '1' : '0'}`);
    const response = await fetch(url);
    const text = await response.text();
    expect(response.status).toBe(403);
    expect(text).toContain('<Code>SignatureDoesNotMatch</Code>');
    expect(text).not.toContain(BODY);
  });

  it('answers a presigned URL for another key by 403: the signature covers the path', async () => {
    const url = new URL(await presign({ expiresIn: 60 }));
    url.pathname = url.pathname.replace('report.html', 'other.html');
    expect((await fetch(url)).status).toBe(403);
  });

  it('answers an expired presigned URL by 403', async () => {
    const response = await fetch(await presign({ expiresIn: 1, signingDate: new Date(Date.now() - 3_600_000) }));
    expect(response.status).toBe(403);
    expect(await response.text()).toContain('expired');
  });

  it('answers a presigned URL that claims more than a week of life by 400 AuthorizationQueryParametersError', async () => {
    const url = new URL(await presign({ expiresIn: 60 }));
    url.searchParams.set('X-Amz-Expires', String(8 * 86_400));
    const response = await fetch(url);
    expect(response.status).toBe(400);
    expect(await response.text()).toContain('<Code>AuthorizationQueryParametersError</Code>');
  });

  it('answers a header-signed request signed with another secret by 403', async () => {
    const stranger = new S3Client({ endpoint: s3.endpoint, forcePathStyle: true, region: LOCAL_REGION, credentials: { accessKeyId: LOCAL_CREDENTIALS.accessKeyId, secretAccessKey: 'not-the-secret' } });
    await expect(stranger.send(new GetObjectCommand({ Bucket: BUCKET, Key: KEY }))).rejects.toMatchObject({ $metadata: { httpStatusCode: 403 } });
    stranger.destroy();
  });

  it('answers a CORS preflight unsigned, as S3 does', async () => {
    const response = await fetch(objectUrl(), { method: 'OPTIONS', headers: { Origin: 'http://127.0.0.1:3000', 'Access-Control-Request-Method': 'GET' } });
    expect(response.status).toBe(200);
    expect(response.headers.get('access-control-allow-origin')).toBe('*');
  });
});
