import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import S3rver from 's3rver';
import { LOOPBACK } from './listen.js';

export interface S3Server {
  endpoint: string;
  stop(): Promise<void>;
}

/** Browsers may GET (and HEAD) presigned URLs from any page, as the deployed bucket's CORS allows its origins. */
const CORS = `<CORSConfiguration><CORSRule>
  <AllowedOrigin>*</AllowedOrigin><AllowedMethod>GET</AllowedMethod><AllowedMethod>HEAD</AllowedMethod>
  <AllowedHeader>*</AllowedHeader><ExposeHeader>Content-Length</ExposeHeader><ExposeHeader>Content-Type</ExposeHeader>
  <MaxAgeSeconds>600</MaxAgeSeconds>
</CORSRule></CORSConfiguration>`;

/**
 * An embedded S3-compatible server (s3rver) on loopback, with the results bucket. With `dir` it
 * keeps objects there across restarts; without, in a temporary folder removed on stop. It checks
 * a presigned URL's expiry as S3 does, and answers S3's errors.
 */
export async function startS3(options: { dir?: string; bucket: string; port?: number }): Promise<S3Server> {
  const directory = options.dir ?? mkdtempSync(join(tmpdir(), 'async-router-s3-'));
  mkdirSync(directory, { recursive: true });
  const server = new S3rver({
    address: LOOPBACK,
    port: options.port ?? 0,
    directory,
    silent: true,
    configureBuckets: [{ name: options.bucket, configs: [CORS] }],
  });
  const { port } = (await server.run()) as { port: number };
  return {
    endpoint: `http://${LOOPBACK}:${port}`,
    async stop() {
      await server.close();
      if (options.dir === undefined) rmSync(directory, { recursive: true, force: true });
    },
  };
}
