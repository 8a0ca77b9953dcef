import type { S3Client } from '@aws-sdk/client-s3';

type S3Sdk = typeof import('@aws-sdk/client-s3');
type PresignerSdk = typeof import('@aws-sdk/s3-request-presigner');

/** The query parameters SigV4 presigning writes (`X-Amz-Signature`, `X-Amz-Date`, ...). */
const SIGNER_PARAM_PREFIX = 'X-Amz-';

/** A key as it appears in the URL's path: each segment escaped as the SDK does, `/` kept. */
function keyPath(key: string): string {
  return key
    .split('/')
    .map((segment) => encodeURIComponent(segment).replace(/[!'()*]/g, (char) => `%${char.charCodeAt(0).toString(16).toUpperCase()}`))
    .join('/');
}

/**
 * Presigned GET URLs for many keys of one bucket, valid for `seconds`. `getSignedUrl` resolves
 * the endpoint through the client's whole middleware stack for every URL (about 1 ms each, most
 * of a second for a view with hundreds of files), so only the first key goes through it; the
 * others reuse its endpoint and signing region and are only signed, by the same signer
 * `getSignedUrl` uses, at the same signing time: the very URLs it would make. Should the first URL not end in its key as expected, each key goes the
 * long way.
 */
export async function presignGets(sdk: { s3: S3Sdk; presigner: PresignerSdk }, client: S3Client, bucket: string, keys: readonly string[], seconds: number): Promise<string[]> {
  const signingDate = new Date();
  const slow = (key: string) => sdk.presigner.getSignedUrl(client, new sdk.s3.GetObjectCommand({ Bucket: bucket, Key: key }), { expiresIn: seconds, signingDate });
  const [first, ...rest] = keys;
  if (first === undefined) return [];
  const firstUrl = await slow(first);
  const parsed = new URL(firstUrl);
  const region = parsed.searchParams.get('X-Amz-Credential')?.split('/')[2];
  if (!parsed.pathname.endsWith(keyPath(first)) || region === undefined) return [firstUrl, ...(await Promise.all(rest.map(slow)))];
  const basePath = parsed.pathname.slice(0, parsed.pathname.length - keyPath(first).length);
  // What the SDK adds to a GetObject (x-id, checksum mode), without what the signer adds itself.
  const query = Object.fromEntries([...parsed.searchParams].filter(([name]) => !name.startsWith(SIGNER_PARAM_PREFIX)));
  const signer = new sdk.presigner.S3RequestPresigner({ ...client.config, region: async () => region });
  const signed = await Promise.all(
    rest.map(async (key) => {
      const path = `${basePath}${keyPath(key)}`;
      const request = await signer.presign(
        { method: 'GET', protocol: parsed.protocol, hostname: parsed.hostname, port: parsed.port === '' ? undefined : Number(parsed.port), path, query: { ...query }, headers: { host: parsed.host } },
        { expiresIn: seconds, signingRegion: region, signingDate },
      );
      const url = new URL(path, parsed.origin);
      for (const [name, value] of Object.entries(request.query ?? {})) if (typeof value === 'string') url.searchParams.set(name, value);
      return url.toString();
    }),
  );
  return [firstUrl, ...signed];
}
