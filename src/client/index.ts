/** The v1 API client: `createClient({ baseUrl })`, then `await client.wait(await client.submit({ prompt }))`. */
export { createClient, DEFAULT_WAIT_SECONDS } from './client.js';
export type { Client, ClientOptions, CompleteLinkedView, FetchLike, GetOptions, SubmitOptions, WaitOptions } from './client.js';
export { DownloadError, ExpiredUrlError } from './download.js';
export type { EventsOptions } from './events.js';
export type { DownloadErrorCode, DownloadInfo, DownloadOptions, DownloadProgress, Downloaded } from './download.js';
export { delay } from '../delay.js';
export { ClientError, HttpError, NetworkError, RequestFailedError, TimeoutError } from './errors.js';
export { DEFAULT_RETRY, type RetryPolicy } from './retry.js';
export { DEFAULT_TASK, ErrorCode, MAX_WAIT_SECONDS, RequestStatus, TASK_NAMES, TASKS, isTerminal } from '../contract.js';
export type { StreamEvent, DraftResult } from '../contract.js';
export type { AssessResult, CompleteView, FileView, PipelineResult, Progress, ReportResult, StepView, RequestView, SubmitInput, SubmitResult, SummarizeResult, TaskName } from '../contract.js';
