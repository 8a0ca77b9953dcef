import { createServer, request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { close, listen } from '../../src/local/listen.js';

/**
 * What a misconfigured deployment in front of the function does, switched on per test: a gateway
 * that answers preflights itself (API Gateway requiring a key on OPTIONS), one that drops headers
 * on the way out, or a slow path for one method.
 */
export interface ProxyFaults {
  /** Answer every OPTIONS with this status and API Gateway's `{"message": ...}`, without the function. */
  optionsStatus?: number;
  /** Response headers removed from every answer (lower case). */
  dropHeaders: string[];
  /** Refuse calls without this `x-api-key` with 403, as a stage with `api_key_required` does (preflights pass). */
  apiKey?: string;
  /** Hold this many of the next calls of `method` for `ms` before passing them on. */
  delay?: { method: string; ms: number; count: number };
}

export interface FaultProxy {
  url: string;
  faults: ProxyFaults;
  /** Every call that came in: its method, path and headers. */
  seen: { method: string; path: string; headers: IncomingHttpHeaders }[];
  stop(): Promise<void>;
}

/** A loopback HTTP proxy to `target` (the local stack's front) that does what `faults` says. */
export async function startFaultProxy(target: string): Promise<FaultProxy> {
  const upstream = new URL(target);
  const faults: ProxyFaults = { dropHeaders: [] };
  const seen: FaultProxy['seen'] = [];
  const server = createServer((incoming, outgoing) => {
    const method = incoming.method ?? 'GET';
    seen.push({ method, path: incoming.url ?? '/', headers: incoming.headers });
    if (method === 'OPTIONS' && faults.optionsStatus !== undefined) {
      incoming.resume();
      outgoing.writeHead(faults.optionsStatus, { 'Content-Type': 'application/json' }).end(JSON.stringify({ message: 'Forbidden' }));
      return;
    }
    if (faults.apiKey !== undefined && method !== 'OPTIONS' && incoming.headers['x-api-key'] !== faults.apiKey) {
      incoming.resume();
      // terraform/api.tf gives API Gateway's own answers CORS headers.
      const cors = { 'Access-Control-Allow-Origin': '*', 'Access-Control-Expose-Headers': 'Location,Retry-After' };
      outgoing.writeHead(403, { 'Content-Type': 'application/json', ...cors }).end(JSON.stringify({ message: 'Forbidden' }));
      return;
    }
    const delayed = faults.delay !== undefined && faults.delay.method === method && faults.delay.count > 0 ? faults.delay : undefined;
    if (delayed !== undefined) delayed.count -= 1;
    const forward = () => {
      const call = httpRequest(
        { hostname: upstream.hostname, port: upstream.port, method, path: incoming.url, headers: { ...incoming.headers, host: upstream.host } },
        (answer) => {
          const headers = { ...answer.headers };
          for (const name of faults.dropHeaders) delete headers[name];
          outgoing.writeHead(answer.statusCode ?? 502, headers);
          answer.pipe(outgoing);
        },
      );
      call.on('error', () => outgoing.destroy());
      incoming.pipe(call);
    };
    if (delayed !== undefined) setTimeout(forward, delayed.ms);
    else forward();
  });
  const url = await listen(server, 0);
  return { url, faults, seen, stop: () => close(server) };
}
