// The Lambda `Context` one invocation gets, shared by the in-process runtime (runtime.ts) and the
// sandbox child (sandbox-child.mjs). Plain JavaScript because the child runs under bare `node`,
// with no TypeScript loader; lambda-context.d.mts types it for the TypeScript side.

/** A Lambda `Context` for one invocation; `getRemainingTimeInMillis()` counts down to `deadline` on `now`. */
export function createLambdaContext(meta, { deadline, logStreamName, now = Date.now }) {
  const unsupported = () => {
    throw new Error('callback-style completion is not supported; return a promise');
  };
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName: meta.functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: meta.invokedFunctionArn,
    memoryLimitInMB: String(meta.memoryLimitInMB),
    awsRequestId: meta.awsRequestId,
    logGroupName: `/aws/lambda/${meta.functionName}`,
    logStreamName,
    getRemainingTimeInMillis: () => Math.max(0, deadline - now()),
    done: unsupported,
    fail: unsupported,
    succeed: unsupported,
  };
}
