import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, request as forward, type IncomingMessage, type ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import S3rver from 's3rver';
import { close, listen, LOOPBACK } from './listen.js';
import { faultStatus, verifySignature, type SignatureFault } from './s3-signature.js';

/** The key pair the local S3 accepts (s3rver's own); the local stack gives it to the function. */
export const S3_CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };
/** The region the local bucket is in: requests signed for another are refused, as S3 refuses them. */
export const S3_REGION = 'us-east-1';

export interface S3Server {
  endpoint: string;
  stop(): Promise<void>;
}

/** Browsers may GET (and HEAD) presigned URLs from any page, as the deployed bucket's CORS allows its origins. */
const CORS = `<CORSConfiguration><CORSRule>
  <AllowedOrigin>*</AllowedOrigin><AllowedMethod>GET</AllowedMethod><AllowedMethod>HEAD</AllowedMethod>
  <AllowedHeader>*</AllowedHeader><ExposeHeader>Content-Length</ExposeHeader><ExposeHeader>Content-Type</ExposeHeader><ExposeHeader>Content-Disposition</ExposeHeader>
  <MaxAgeSeconds>600</MaxAgeSeconds>
</CORSRule></CORSConfiguration>`;

function refuse(response: ServerResponse, fault: SignatureFault, origin: string | undefined): void {
  response.writeHead(faultStatus(fault), {
    'content-type': 'application/xml',
    // As S3 does for a bucket whose CORS rule matches: the browser may read why it was refused.
    ...(origin !== undefined ? { 'access-control-allow-origin': '*' } : {}),
  });
  response.end(`<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${fault.code}</Code><Message>${fault.message}</Message></Error>`);
}

/** Passes a request on to s3rver and its answer back, both streamed. */
function pass(request: IncomingMessage, response: ServerResponse, port: number): void {
  const upstream = forward({ host: LOOPBACK, port, method: request.method, path: request.url, headers: request.headers }, (answer) => {
    response.writeHead(answer.statusCode ?? 502, answer.headers);
    answer.pipe(response);
  });
  upstream.on('error', () => response.destroy());
  request.pipe(upstream);
}

/**
 * An embedded S3-compatible server (s3rver) on loopback, with the results bucket, behind a layer
 * that checks every request's signature as S3 does (s3rver itself serves anyone): unsigned,
 * tampered, expired and not yet valid requests get S3's 403, those signed for another region its 400; CORS preflights, unsigned in S3 too, pass. With
 * `dir` it keeps objects there across restarts; without, in a temporary folder removed on stop.
 */
export async function startS3(options: {
  dir?: string;
  bucket: string;
  port?: number;
  /** The clock request dates and presigned URLs' lives are checked against. */
  now?: () => number;
}): Promise<S3Server> {
  const directory = options.dir ?? mkdtempSync(join(tmpdir(), 'async-router-s3-'));
  mkdirSync(directory, { recursive: true });
  const s3rver = new S3rver({ address: LOOPBACK, port: 0, directory, silent: true, configureBuckets: [{ name: options.bucket, configs: [CORS] }] });
  const { port: s3rverPort } = (await s3rver.run()) as { port: number };
  const authority = { credentials: S3_CREDENTIALS, region: S3_REGION, now: options.now ?? Date.now };
  const gate = createServer((request, response) => {
    if (request.method === 'OPTIONS') return pass(request, response, s3rverPort);
    verifySignature({ method: request.method ?? 'GET', url: request.url ?? '/', headers: request.headers }, authority).then(
      (fault) => (fault === undefined ? pass(request, response, s3rverPort) : refuse(response, fault, request.headers.origin)),
      () => refuse(response, { code: 'AccessDenied', message: 'Access Denied' }, request.headers.origin),
    );
  });
  let endpoint: string;
  try {
    endpoint = await listen(gate, options.port ?? 0);
  } catch (error) {
    await s3rver.close();
    throw error;
  }
  return {
    endpoint,
    async stop() {
      await close(gate);
      await s3rver.close();
      if (options.dir === undefined) rmSync(directory, { recursive: true, force: true });
    },
  };
}
