/** The v1 API client: `createClient({ baseUrl })`, then `await client.wait(await client.submit({ prompt }))`. */
export { createClient, DEFAULT_WAIT_SECONDS, MAX_WAIT_SECONDS } from './client.js';
export type { Client, ClientOptions, FetchLike, GetOptions, SubmitOptions, WaitOptions } from './client.js';
export { delay } from './delay.js';
export { HttpError, RequestFailedError, TimeoutError } from './errors.js';
export { DEFAULT_RETRY, type RetryPolicy } from './retry.js';
export { RequestStatus, isTerminal } from './types.js';
export type { AssessResult, CompleteView, Progress, RequestView, SubmitInput, SubmitResult, SummarizeResult, TaskName } from './types.js';
