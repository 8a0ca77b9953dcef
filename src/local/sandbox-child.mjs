// One Lambda execution environment: a Node.js process that imports the built bundle once (the
// cold start) and then runs the invocations the parent sends over the IPC channel, each with its
// own context and answered by its id. The parent sends several at once only for synchronous calls
// sharing the environment.
// Plain JavaScript on purpose: it runs under bare `node`, like Lambda's runtime, with no loader.
import { pathToFileURL } from 'node:url';
import { createLambdaContext } from './lambda-context.mjs';
import { awslambda, runHandler } from './lambda-streaming.mjs';

const [modulePath, handlerName = 'handler'] = process.argv.slice(2);

/** Max resident set size of this process so far, in MB, as Lambda's REPORT line shows it. */
function maxMemoryUsedMb() {
  return Math.round(process.resourceUsage().maxRSS / 1024);
}

function describe(error) {
  if (error instanceof Error) return { errorType: error.name, errorMessage: error.message };
  return { errorType: 'Error', errorMessage: String(error) };
}

// Defined before the bundle loads, as the runtime does: its top level may call streamifyResponse.
globalThis.awslambda = awslambda;
/** The streaming invocations under way, by message id, to destroy their stream when the caller goes away. */
const streaming = new Map();

let handler;
try {
  const module = await import(pathToFileURL(modulePath).href);
  handler = module[handlerName];
  if (typeof handler !== 'function') throw new Error(`${modulePath} does not export a function "${handlerName}"`);
} catch (error) {
  const { errorType, errorMessage } = describe(error);
  process.send({ type: 'init-error', errorType: `Runtime.ImportModuleError`, errorMessage: `${errorType}: ${errorMessage}` });
  process.exit(1);
}

process.on('message', async (message) => {
  if (message?.type === 'abort') return void streaming.get(message.id)?.abort();
  if (message?.type !== 'invoke') return;
  let reply;
  try {
    // The parent owns the deadline (it kills this process there); both share the machine's clock.
    const context = createLambdaContext(message.meta, { deadline: message.meta.deadline, logStreamName: `local/${process.pid}` });
    // As Lambda's Node.js runtime does; the AWS SDK sends it on with every call (loop detection).
    if (message.meta.traceId) process.env._X_AMZN_TRACE_ID = message.meta.traceId;
    else delete process.env._X_AMZN_TRACE_ID;
    let onChunk;
    let signal;
    if (message.stream) {
      const controller = new AbortController();
      streaming.set(message.id, controller);
      signal = controller.signal;
      onChunk = (chunk) => process.send({ type: 'chunk', id: message.id, data: chunk.toString('base64') });
    }
    const result = await runHandler(handler, message.event, context, onChunk, signal);
    // Lambda serialises the result as JSON; undefined becomes null.
    reply = { type: 'result', id: message.id, ok: true, result: result === undefined ? null : result };
  } catch (error) {
    reply = { type: 'result', id: message.id, ok: false, ...describe(error) };
  } finally {
    streaming.delete(message.id);
  }
  process.send({ ...reply, maxMemoryUsedMb: maxMemoryUsedMb() });
});

// The parent is the Lambda service: when it dies (even by SIGKILL) the environment goes with it.
process.on('disconnect', () => process.exit(129));

process.send({ type: 'ready', maxMemoryUsedMb: maxMemoryUsedMb() });
