/** The v1 API client: `createClient({ baseUrl })`, then `await client.wait(await client.submit({ prompt }))`. */
export { createClient, DEFAULT_WAIT_SECONDS } from './client.js';
export type { Client, ClientOptions, CompleteLinkedView, FetchLike, GetOptions, SubmitOptions, TokenSource, WaitOptions } from './client.js';
export { DownloadError, ExpiredUrlError } from './download.js';
export type { ListOptions, RequestPage, RequestPages } from './list.js';
export type { EventsOptions } from './events.js';
export type { DownloadErrorCode, DownloadInfo, DownloadOptions, DownloadProgress, Downloaded } from './download.js';
export { delay } from '../delay.js';
export { ClientError, HttpError, NetworkError, RequestFailedError, TimeoutError, UnauthorizedError } from './errors.js';
export { DEFAULT_RETRY, type RetryPolicy } from './retry.js';
export { DEFAULT_LIST_LIMIT, DEFAULT_TASK, ErrorCode, LIST_PATH, MAX_LIST_LIMIT, MAX_WAIT_SECONDS, RequestStatus, TASK_NAMES, TASKS, isTerminal } from '../contract.js';
export type { StreamEvent, DraftResult } from '../contract.js';
export type { AssessResult, CompleteView, FileView, PipelineResult, Progress, ReportResult, RequestList, RequestSummary, StepView, RequestView, SubmitInput, SubmitResult, SummarizeResult, TaskName } from '../contract.js';
