import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { SignatureV4 } from '@smithy/signature-v4';
import type { SourceData } from '@smithy/types';

/** The HTTP status S3 answers each refusal with. */
const FAULT_STATUS = {
  AccessDenied: 403,
  InvalidAccessKeyId: 403,
  SignatureDoesNotMatch: 403,
  AuthorizationQueryParametersError: 400,
  AuthorizationHeaderMalformed: 400,
} as const;

/** Why S3 refuses a request: its error code and message, as S3 words them. */
export interface SignatureFault {
  code: keyof typeof FAULT_STATUS;
  message: string;
}

/** The HTTP status S3 answers `fault` with. */
export function faultStatus(fault: SignatureFault): number {
  return FAULT_STATUS[fault.code];
}

/** What the server checks a signature against: its one key pair, its region, its clock. */
export interface SigningAuthority {
  credentials: { accessKeyId: string; secretAccessKey: string };
  region: string;
  now: () => number;
}

/** What the verifier needs of an incoming request: the wire path and query as sent, and its headers. */
export interface SignedRequest {
  method: string;
  /** The request target as received, e.g. `/bucket/key%20name?X-Amz-Date=...`. */
  url: string;
  headers: IncomingHttpHeaders;
}

const ALGORITHM = 'AWS4-HMAC-SHA256';
const CONTENT_SHA256 = 'x-amz-content-sha256';
const UNSIGNED_PAYLOAD = 'UNSIGNED-PAYLOAD';
const SERVICE = 's3';
/** How far a request's date may be from S3's clock: S3 allows 15 minutes. */
const CLOCK_SKEW_MS = 15 * 60_000;
/** The longest life S3 gives a presigned URL: 7 days. */
const LONGEST_EXPIRY_SECONDS = 604_800;
const AMZ_DATE = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/;
const AUTHORIZATION = /^AWS4-HMAC-SHA256 Credential=([^,]+),\s*SignedHeaders=([^,]+),\s*Signature=([0-9a-f]+)$/;

/** The SHA-256 the signer expects (`new Sha256(key?)`): an HMAC when given a key. */
class Sha256 {
  private readonly hash;
  constructor(key?: SourceData) {
    this.hash = key === undefined ? createHash('sha256') : createHmac('sha256', bytes(key));
  }
  update(data: SourceData): void {
    this.hash.update(bytes(data));
  }
  async digest(): Promise<Uint8Array> {
    return this.hash.digest();
  }
}

function bytes(data: SourceData): Buffer | string {
  if (typeof data === 'string') return data;
  return ArrayBuffer.isView(data) ? Buffer.from(data.buffer, data.byteOffset, data.byteLength) : Buffer.from(data);
}

const denied = (message: string): SignatureFault => ({ code: 'AccessDenied', message });
const mismatch: SignatureFault = {
  code: 'SignatureDoesNotMatch',
  message: 'The request signature we calculated does not match the signature you provided. Check your key and signing method.',
};

function parseAmzDate(text: string | undefined): Date | undefined {
  const parts = AMZ_DATE.exec(text ?? '');
  if (parts === null) return undefined;
  const [, year, month, day, hour, minute, second] = parts.map(Number) as number[];
  return new Date(Date.UTC(year!, month! - 1, day!, hour!, minute!, second!));
}

/** `AKID/20260101/us-east-1/s3/aws4_request` */
function parseScope(credential: string): { accessKeyId: string; region: string; service: string } | undefined {
  const [accessKeyId, , region, service, terminator] = credential.split('/');
  if (accessKeyId === undefined || region === undefined || service === undefined || terminator !== 'aws4_request') return undefined;
  return { accessKeyId, region, service };
}

function sameSignature(expected: string, given: string): boolean {
  const a = Buffer.from(expected);
  const b = Buffer.from(given);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** The request as the signer sees it: only the headers the client said it signed. */
function signable(request: SignedRequest, signedHeaders: string[], query: Record<string, string | string[]>) {
  const url = new URL(request.url, 'http://local');
  const headers: Record<string, string> = {};
  for (const name of signedHeaders) {
    const value = request.headers[name];
    headers[name] = Array.isArray(value) ? value.join(',') : (value ?? '');
  }
  // The canonical URI is the path exactly as sent: S3 signs it without a second escaping.
  const path = request.url.split('?')[0]!;
  return { method: request.method, protocol: 'http:', hostname: url.hostname, path, query, headers };
}

function queryOf(url: string, drop: readonly string[]): Record<string, string | string[]> {
  const query: Record<string, string | string[]> = {};
  for (const [name, value] of new URL(url, 'http://local').searchParams) {
    if (drop.includes(name)) continue;
    const seen = query[name];
    query[name] = seen === undefined ? value : [...(Array.isArray(seen) ? seen : [seen]), value];
  }
  return query;
}

/** A scope for another region or service than this server's, as S3 words the refusal of each signing way. */
function wrongScope(scope: { region: string; service: string }, region: string, presigned: boolean): SignatureFault | undefined {
  const reason =
    scope.region !== region
      ? `the region '${scope.region}' is wrong; expecting '${region}'`
      : scope.service !== SERVICE
        ? `incorrect service '${scope.service}'. This endpoint belongs to '${SERVICE}'.`
        : undefined;
  if (reason === undefined) return undefined;
  return presigned
    ? { code: 'AuthorizationQueryParametersError', message: `Error parsing the X-Amz-Credential parameter; ${reason}` }
    : { code: 'AuthorizationHeaderMalformed', message: `The authorization header is malformed; ${reason}` };
}

/** A presigned URL's life: begun (within the skew S3 allows), at most a week long, not over. */
function outOfDate(signingDate: Date, expiresIn: number, now: number): SignatureFault | undefined {
  if (!Number.isInteger(expiresIn) || expiresIn < 1 || expiresIn > LONGEST_EXPIRY_SECONDS) {
    return { code: 'AuthorizationQueryParametersError', message: `X-Amz-Expires must be a whole number of seconds from 1 to ${LONGEST_EXPIRY_SECONDS}.` };
  }
  if (signingDate.getTime() > now + CLOCK_SKEW_MS) return denied('Request is not yet valid');
  if (now > signingDate.getTime() + expiresIn * 1000) return denied('Request has expired');
  return undefined;
}

/**
 * Checks a request's Signature Version 4 as S3 does, for both ways the SDK signs: the
 * `Authorization` header (whose date s3rver checks), and a presigned URL's query string (in its
 * life by `now`). The scope must name this server's region and S3; the signature is recomputed
 * by the SDK's own signer from the credentials this server knows. Answers the fault, or undefined
 * when the request is signed and in date.
 */
export async function verifySignature(request: SignedRequest, { credentials, region, now }: SigningAuthority): Promise<SignatureFault | undefined> {
  const params = new URL(request.url, 'http://local').searchParams;
  const authorization = request.headers.authorization;
  const presigned = params.get('X-Amz-Algorithm') !== null || params.get('X-Amz-Signature') !== null;
  if (authorization === undefined && !presigned) return denied('Access Denied');

  const header = authorization !== undefined ? AUTHORIZATION.exec(authorization) : null;
  if (authorization !== undefined && header === null) return { code: 'AccessDenied', message: `Only ${ALGORITHM} signatures are accepted.` };
  if (presigned && params.get('X-Amz-Algorithm') !== ALGORITHM) {
    return { code: 'AuthorizationQueryParametersError', message: `X-Amz-Algorithm must be ${ALGORITHM}.` };
  }
  const credential = header?.[1] ?? params.get('X-Amz-Credential') ?? '';
  const signedHeaders = (header?.[2] ?? params.get('X-Amz-SignedHeaders') ?? '').split(';').filter(Boolean);
  const given = header?.[3] ?? params.get('X-Amz-Signature') ?? '';
  const signingDate = parseAmzDate(header !== null ? (request.headers['x-amz-date'] as string | undefined) : (params.get('X-Amz-Date') ?? undefined));
  const scope = parseScope(credential);
  if (scope === undefined || signingDate === undefined || !signedHeaders.includes('host')) {
    return { code: 'AuthorizationQueryParametersError', message: 'The credential, date or signed headers of the signature are missing or malformed.' };
  }
  if (scope.accessKeyId !== credentials.accessKeyId) {
    return { code: 'InvalidAccessKeyId', message: 'The AWS Access Key Id you provided does not exist in our records.' };
  }
  const scopeFault = wrongScope(scope, region, header === null);
  if (scopeFault !== undefined) return scopeFault;
  const signer = new SignatureV4({ credentials, region: scope.region, service: scope.service, sha256: Sha256, uriEscapePath: false, applyChecksum: false });
  const signingOptions = { signingDate, signingRegion: scope.region, signingService: scope.service, signableHeaders: new Set(signedHeaders) };

  if (header !== null) {
    const signed = await signer.sign(signable(request, signedHeaders, queryOf(request.url, [])), signingOptions);
    const expected = AUTHORIZATION.exec(signed.headers.authorization ?? '')?.[3] ?? '';
    return sameSignature(expected, given) ? undefined : mismatch;
  }

  const expiresIn = Number(params.get('X-Amz-Expires'));
  const dateFault = outOfDate(signingDate, expiresIn, now());
  if (dateFault !== undefined) return dateFault;
  const query = queryOf(request.url, ['X-Amz-Algorithm', 'X-Amz-Credential', 'X-Amz-Date', 'X-Amz-Expires', 'X-Amz-SignedHeaders', 'X-Amz-Signature']);
  // A presigned URL's payload is never hashed: the signer must neither hash one nor sign the marker.
  const toSign = signable(request, signedHeaders, query);
  toSign.headers[CONTENT_SHA256] = UNSIGNED_PAYLOAD;
  const unsigned = new Set([CONTENT_SHA256]);
  const presignedAgain = await signer.presign(toSign, { ...signingOptions, expiresIn, unhoistableHeaders: unsigned, unsignableHeaders: unsigned });
  const expected = String(presignedAgain.query?.['X-Amz-Signature'] ?? '');
  return sameSignature(expected, given) ? undefined : mismatch;
}
