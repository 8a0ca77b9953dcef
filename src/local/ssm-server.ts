import { createServer, type IncomingMessage } from 'node:http';
import { close, listen } from './listen.js';
import { readBody } from './read-body.js';

/** A GetParameters request names at most ten parameters (SSM's own limit); its body is tiny. */
const MAX_NAMES = 10;
const MAX_BODY_BYTES = 64 * 1024;
const TARGET_PREFIX = 'AmazonSSM.';

export interface SsmServer {
  endpoint: string;
  /** GetParameter(s) calls answered so far: a cold start makes one. */
  readonly calls: number;
  stop(): Promise<void>;
}

interface SsmParameter {
  Name: string;
  Type: 'SecureString';
  Value: string;
  Version: number;
  DataType: 'text';
}

/**
 * The part of SSM's API the function uses, on loopback: GetParameters and GetParameter of
 * SecureString parameters held in memory (the local stack keeps their values in DATA_DIR), in
 * SSM's JSON 1.1 protocol, so the real `@aws-sdk/client-ssm` reads them as it does in AWS.
 * Signatures are not checked, as dynalite does not check them.
 */
export async function startSsm(parameters: Readonly<Record<string, string>>): Promise<SsmServer> {
  let calls = 0;
  const parameter = (name: string): SsmParameter | undefined =>
    Object.hasOwn(parameters, name) ? { Name: name, Type: 'SecureString', Value: parameters[name]!, Version: 1, DataType: 'text' } : undefined;

  const operations: Record<string, (input: Record<string, unknown>) => [number, unknown]> = {
    GetParameters(input) {
      const names = input.Names;
      if (!Array.isArray(names) || names.length === 0 || names.length > MAX_NAMES || !names.every((name) => typeof name === 'string')) {
        return [400, { __type: 'ValidationException', message: `Names must list 1 to ${MAX_NAMES} parameter names` }];
      }
      const found = names.map(parameter).filter((item) => item !== undefined);
      return [200, { Parameters: found, InvalidParameters: names.filter((name) => parameter(name) === undefined) }];
    },
    GetParameter(input) {
      const found = typeof input.Name === 'string' ? parameter(input.Name) : undefined;
      return found ? [200, { Parameter: found }] : [400, { __type: 'ParameterNotFound', message: `Parameter ${String(input.Name)} not found` }];
    },
  };

  async function answer(request: IncomingMessage): Promise<[number, unknown]> {
    const target = String(request.headers['x-amz-target'] ?? '');
    const operation = target.startsWith(TARGET_PREFIX) ? operations[target.slice(TARGET_PREFIX.length)] : undefined;
    const body = await readBody(request, MAX_BODY_BYTES, { whenOver: 'at-end' });
    if (request.method !== 'POST' || operation === undefined) return [400, { __type: 'UnknownOperationException', message: `Not served here: ${target || 'no X-Amz-Target'}` }];
    let input: unknown;
    try {
      input = JSON.parse(body?.toString('utf8') ?? '');
    } catch {
      return [400, { __type: 'SerializationException', message: 'The body is not JSON' }];
    }
    if (typeof input !== 'object' || input === null) return [400, { __type: 'SerializationException', message: 'The body is not a JSON object' }];
    calls += 1;
    return operation(input as Record<string, unknown>);
  }

  const server = createServer((request, response) => {
    answer(request).then(
      ([status, payload]) => {
        response.writeHead(status, { 'content-type': 'application/x-amz-json-1.1' });
        response.end(JSON.stringify(payload));
      },
      () => {
        response.writeHead(500, { 'content-type': 'application/x-amz-json-1.1' });
        response.end(JSON.stringify({ __type: 'InternalServerError', message: 'The local SSM endpoint failed' }));
      },
    );
  });
  const endpoint = await listen(server, 0);
  return {
    endpoint,
    get calls() {
      return calls;
    },
    stop: () => close(server),
  };
}
