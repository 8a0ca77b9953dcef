import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import * as presigner from '@aws-sdk/s3-request-presigner';
import * as s3 from '@aws-sdk/client-s3';
import { afterAll, describe, expect, it } from 'vitest';
import { presignGets } from '../../src/storage/s3-presign.js';

// The local S3 (s3rver) does not check SigV4 signatures, so a GET there cannot prove a URL is
// signed right; the SDK's own getSignedUrl, at the same signing time, is the reference here.

const BUCKET = 'async-router-results-123456789012-eu-west-1';
/** Credentials as Lambda's role gives them: a session token of a realistic length, with `+`, `/` and `=`. */
const CREDENTIALS = { accessKeyId: 'ASIAEXAMPLEEXAMPLE01', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY', sessionToken: `IQoJb3JpZ2luX2Vj${'Ab+/Cd9z'.repeat(140)}==` };
const KEYS = ['requests/0f0e/1/result.json', 'requests/0f0e/1/files/report.html', 'requests/0f0e/2/files/a_b-c.d.txt', `requests/0f0e/2/files/${'n'.repeat(200)}`];

/** What getSignedUrl makes for `key` at the signing time `url` carries. */
async function reference(client: S3Client, key: string, url: string, seconds: number): Promise<string> {
  const amzDate = new URL(url).searchParams.get('X-Amz-Date')!;
  const signingDate = new Date(amzDate.replace(/^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/, '$1-$2-$3T$4:$5:$6Z'));
  return presigner.getSignedUrl(client, new GetObjectCommand({ Bucket: BUCKET, Key: key }), { expiresIn: seconds, signingDate });
}

const parts = (url: string) => {
  const parsed = new URL(url);
  return { origin: parsed.origin, path: parsed.pathname, query: Object.fromEntries(parsed.searchParams) };
};

describe('presignGets', () => {
  const clients = {
    'AWS, virtual-hosted': new S3Client({ region: 'eu-west-1', credentials: CREDENTIALS }),
    'a local endpoint, path-style': new S3Client({ region: 'us-east-1', credentials: CREDENTIALS, endpoint: 'http://127.0.0.1:4569', forcePathStyle: true }),
  };
  afterAll(() => Object.values(clients).forEach((client) => client.destroy()));

  for (const [where, client] of Object.entries(clients)) {
    it(`signs every key exactly as getSignedUrl does (${where})`, async () => {
      const urls = await presignGets({ s3, presigner }, client, BUCKET, KEYS, 900);
      const expected = await Promise.all(KEYS.map((key, index) => reference(client, key, urls[index]!, 900)));

      expect(urls).toHaveLength(KEYS.length);
      expect(urls.map(parts)).toEqual(expected.map(parts));
      expect(new Set(urls.map((url) => new URL(url).searchParams.get('X-Amz-Signature'))).size).toBe(KEYS.length);
    });
  }

  it('answers nothing for no keys', async () => {
    expect(await presignGets({ s3, presigner }, clients['AWS, virtual-hosted'], BUCKET, [], 900)).toEqual([]);
  });
});
