import { Agent, createServer, request as httpRequest, type IncomingMessage, type Server } from 'node:http';
import { close, listen } from '../src/local/listen.js';

/** One AWS call seen on the wire: the operation, and for DynamoDB updates which kind of write it was. */
export interface SeenCall {
  service: 'dynamodb' | 'lambda';
  operation: string;
  /** The request id the call was about, read from its body. */
  requestId: string | undefined;
}

export interface CountingProxy {
  url: string;
  calls: SeenCall[];
  /** Points the proxy at the real endpoint (known only once that server listens). */
  setTarget(url: string): void;
  stop(): Promise<void>;
}

/** Names a DynamoDB UpdateItem by what its expression writes (see src/requests/store.ts). */
function updateKind(expression: string): string {
  if (expression.includes('#steps.#name')) return 'UpdateItem:checkpoint';
  if (expression.includes('max_attempts = max_attempts + :one')) return 'UpdateItem:hand-back';
  if (expression.includes('attempt = attempt')) return 'UpdateItem:claim';
  if (expression.includes('#status = :status')) return 'UpdateItem:finish';
  if (expression.includes('progress = :progress')) return 'UpdateItem:progress';
  if (expression.includes('#status')) return 'UpdateItem:other-status';
  return 'UpdateItem:heartbeat';
}

function describe(service: SeenCall['service'], request: IncomingMessage, body: Buffer): SeenCall {
  let parsed: Record<string, any> = {};
  try {
    parsed = body.length === 0 ? {} : JSON.parse(body.toString('utf8'));
  } catch {
    // Not JSON: counted by operation only.
  }
  if (service === 'lambda') {
    return { service, operation: `Invoke:${String(request.headers['x-amz-invocation-type'] ?? 'RequestResponse')}`, requestId: parsed.request_id };
  }
  const target = String(request.headers['x-amz-target'] ?? '');
  let operation = target.slice(target.indexOf('.') + 1) || 'unknown';
  if (operation === 'UpdateItem') operation = updateKind(String(parsed.UpdateExpression ?? ''));
  const requestId = parsed.Key?.request_id?.S ?? parsed.Item?.request_id?.S;
  return { service, operation, requestId };
}

/**
 * A transparent HTTP proxy in front of a local AWS endpoint that records every call that goes
 * through it: the calls are counted on the wire, as AWS would bill them, not inferred from code.
 */
export async function startCountingProxy(service: SeenCall['service']): Promise<CountingProxy> {
  const calls: SeenCall[] = [];
  const agent = new Agent({ keepAlive: true, maxSockets: 256 });
  let target: URL | undefined;
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const body = Buffer.concat(chunks);
      calls.push(describe(service, request, body));
      const upstream = httpRequest(
        { host: target!.hostname, port: target!.port, method: request.method, path: request.url, headers: request.headers, agent },
        (answer) => {
          response.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(response);
        },
      );
      upstream.on('error', () => {
        if (!response.headersSent) response.writeHead(502);
        response.end();
      });
      upstream.end(body);
    });
  });
  const url = await listen(server, 0);
  return {
    url,
    calls,
    setTarget: (value) => void (target = new URL(value)),
    stop: async () => {
      agent.destroy();
      await close(server);
    },
  };
}
