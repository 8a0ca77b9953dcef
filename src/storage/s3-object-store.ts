import { Readable, Transform } from 'node:stream';
import type { ByteBudget } from './byte-budget.js';
import { OutputTooLargeError, storageError } from './errors.js';
import type { ObjectStore } from './object-store.js';
import { presignGets } from './s3-presign.js';

/** Bodies at most this large go up in one PutObject; larger streams in a multipart upload. */
const PART_BYTES = 8 * 1024 * 1024;
const DELETE_BATCH = 1000;

export interface S3ObjectStoreOptions {
  bucket: string;
  /** The client's settings (src/aws-clients.ts); a local endpoint is addressed path-style. */
  clientConfig: Record<string, unknown>;
}

/** The S3 SDK is loaded on first use: most invocations (every API call but a status read of a file) never need it. */
function loadSdk() {
  return Promise.all([import('@aws-sdk/client-s3'), import('@aws-sdk/lib-storage'), import('@aws-sdk/s3-request-presigner')]);
}

function translate(error: unknown): Error {
  if (error instanceof OutputTooLargeError) return error;
  return storageError(error, 'S3');
}

/** A stream that takes each chunk's room from `budget` before passing it on, and fails with OutputTooLargeError when there is none. */
function limited(body: Readable, budget: ByteBudget, counted: { bytes: number }): Readable {
  const guard = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      try {
        budget.reserve(chunk.length);
      } catch (error) {
        return done(error as Error);
      }
      counted.bytes += chunk.length;
      done(null, chunk);
    },
  });
  body.on('error', (error) => guard.destroy(error));
  return body.pipe(guard);
}

/** The request store's counterpart for objects: one bucket, every key under the requests prefix. */
export function createS3ObjectStore(options: S3ObjectStoreOptions): ObjectStore {
  const config = { ...options.clientConfig, ...(options.clientConfig.endpoint !== undefined ? { forcePathStyle: true } : {}) };
  let loaded: Promise<{ sdk: Awaited<ReturnType<typeof loadSdk>>; client: InstanceType<Awaited<ReturnType<typeof loadSdk>>[0]['S3Client']> }> | undefined;
  const s3 = () => (loaded ??= loadSdk().then((sdk) => ({ sdk, client: new sdk[0].S3Client(config) })));

  return {
    async put(key, body, contentType, budget) {
      const reserved = { bytes: 0 };
      try {
        if (!(body instanceof Readable)) {
          const bytes = typeof body === 'string' ? Buffer.from(body, 'utf8') : Buffer.from(body.buffer, body.byteOffset, body.byteLength);
          budget.reserve(bytes.length);
          reserved.bytes = bytes.length;
          const { sdk, client } = await s3();
          await client.send(new sdk[0].PutObjectCommand({ Bucket: options.bucket, Key: key, Body: bytes, ContentType: contentType }));
          return bytes.length;
        }
        const { sdk, client } = await s3();
        // An upload that fails is aborted, parts included: nothing half-written stays.
        const upload = new sdk[1].Upload({ client, params: { Bucket: options.bucket, Key: key, Body: limited(body, budget, reserved), ContentType: contentType }, partSize: PART_BYTES, leavePartsOnError: false });
        await upload.done();
        return reserved.bytes;
      } catch (error) {
        budget.release(reserved.bytes);
        throw translate(error);
      }
    },

    async getText(key) {
      const { sdk, client } = await s3();
      try {
        const output = await client.send(new sdk[0].GetObjectCommand({ Bucket: options.bucket, Key: key }));
        return await output.Body!.transformToString('utf8');
      } catch (error) {
        throw translate(error);
      }
    },

    async presign(keys, seconds) {
      const { sdk, client } = await s3();
      return presignGets({ s3: sdk[0], presigner: sdk[2] }, client, options.bucket, keys, Math.max(1, Math.floor(seconds)));
    },

    async remove(keys) {
      if (keys.length === 0) return;
      const { sdk, client } = await s3();
      try {
        for (let start = 0; start < keys.length; start += DELETE_BATCH) {
          const Objects = keys.slice(start, start + DELETE_BATCH).map((Key) => ({ Key }));
          await client.send(new sdk[0].DeleteObjectsCommand({ Bucket: options.bucket, Delete: { Objects, Quiet: true } }));
        }
      } catch (error) {
        throw translate(error);
      }
    },
  };
}
