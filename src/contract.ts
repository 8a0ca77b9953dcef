/**
 * The v1 API's contract, in one place for the function, the client, the CLI and the demo page:
 * statuses, error codes, the request view, the tasks, the routes, the headers. No Node.js import,
 * so it bundles for the browser; openapi/v1.yaml is checked against it by test/contract.test.ts.
 */

/** Where a request is in its life. `complete` and `error` are terminal and never change again. */
export const RequestStatus = {
  Pending: 'pending',
  Processing: 'processing',
  Complete: 'complete',
  Error: 'error',
} as const;
export type RequestStatus = (typeof RequestStatus)[keyof typeof RequestStatus];

/** `true` once a request can no longer change. */
export function isTerminal(status: RequestStatus): boolean {
  return status === RequestStatus.Complete || status === RequestStatus.Error;
}

/** Machine-readable reasons a request ended as `error`. */
export const ErrorCode = {
  Cancelled: 'cancelled',
  Timeout: 'timeout',
  WorkerLost: 'worker_lost',
  DeadlineExceeded: 'deadline_exceeded',
  TaskFailed: 'task_failed',
  ResultTooLarge: 'result_too_large',
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/** The sentence a caller reads for the endings the service decides on its own. */
export const ERROR_SENTENCES = {
  [ErrorCode.Cancelled]: 'The request was cancelled by the caller.',
  [ErrorCode.WorkerLost]: 'The worker stopped before finishing and no retry is left. Submit the request again.',
  [ErrorCode.DeadlineExceeded]: 'The request did not finish before its deadline. Submit the request again.',
} as const;

/**
 * The tasks a caller may name, with what each does; the first is the default. src/tasks/index.ts
 * must give each an implementation (the compiler checks), and the OpenAPI document, the client and
 * the CLI follow this list.
 */
export const TASKS = {
  assess: 'Word and sentence counts, weighted keywords and a short extractive summary of the prompt.',
  summarize: 'A three-sentence extractive summary of the prompt.',
  report: 'An HTML report of the assessment, with an appendix that makes it at least DEMO_REPORT_MB megabytes, kept as a file; a short summary inline.',
  pipeline: 'A five-step analysis (outline, keywords, sentences, summary, assembly), each step checkpointed, so it survives a crash and runs across invocations.',
  draft: 'A draft of about 300 tokens written over DEMO_TASK_MS as live output (GET /v1/status/{request_id}/events); its result `{text}` is the whole output.',
} as const;
export type TaskName = keyof typeof TASKS;
export const TASK_NAMES = Object.keys(TASKS) as TaskName[];
export const DEFAULT_TASK: TaskName = 'assess';

export interface Progress {
  percent: number;
  message: string;
}

/** The step of a multi-step task the request has reached. */
export interface StepView {
  name: string;
  /** Its position, from 1. */
  index: number;
  /** How many steps the task has, when it says. */
  count?: number;
}

/** Body of `POST /v1/invoke`. */
export interface SubmitInput {
  prompt: string;
  session_id?: string;
  task?: TaskName;
  /** Where to POST the request's view, signed, when it ends (https; see the README's Webhooks). */
  callback_url?: string;
}

/** Where a request's completion webhook stands. */
export const CallbackStatus = {
  Pending: 'pending',
  Delivered: 'delivered',
  Failed: 'failed',
} as const;
export type CallbackStatus = (typeof CallbackStatus)[keyof typeof CallbackStatus];

/** Why the last try got no 2xx, when there was no HTTP status to tell. */
export const DeliveryFailure = {
  Timeout: 'timeout',
  Network: 'network_error',
  Refused: 'refused',
  /** The invocation had too little time left for a try; counted as one, and made again later. */
  NoTime: 'no_time',
} as const;
export type DeliveryFailure = (typeof DeliveryFailure)[keyof typeof DeliveryFailure];

/** A request's webhook, in its view when it was submitted with `callback_url`. */
export interface CallbackView {
  status: CallbackStatus;
  /** Tries so far. */
  attempts: number;
  /** The receiver's HTTP status on the last try, or why there was none. */
  last_status?: number | DeliveryFailure;
}

/** What `POST /v1/invoke` answers with `202`. */
export interface SubmitResult {
  request_id: string;
  status: RequestStatus;
  status_url: string;
  message: string;
}

/** What `GET /v1/status/{request_id}` answers: the public view of one request. */
export interface RequestView<Result = unknown> {
  request_id: string;
  status: RequestStatus;
  task: string;
  created_at: string;
  updated_at: string;
  session_id?: string;
  progress?: Progress;
  /** For a task run in steps: the step it has reached. */
  step?: StepView;
  /** When complete: the task's JSON result, unless it was too large to carry, then `result_url`. */
  result?: Result;
  /** A presigned URL that GETs a result too large to carry inline (JSON), valid for a while. */
  result_url?: string;
  result_size?: number;
  /** Files the task wrote, when complete, each with a presigned download URL. */
  artifacts?: FileView[];
  error?: string;
  error_code?: ErrorCode;
  callback?: CallbackView;
}

/** A file a task wrote, as a view shows it. */
export interface FileView {
  name: string;
  content_type: string;
  size: number;
  /** A presigned URL that GETs the file, valid for a while (never past the request's expiry). */
  url: string;
}

/** A request that ended as `complete`, with its `result` (the client's `wait` fetches one the view only links to). */
export type CompleteView<Result = unknown> = RequestView<Result> & { status: 'complete'; result: Result };

/** The result of the `assess` task. */
export interface AssessResult {
  word_count: number;
  sentence_count: number;
  character_count: number;
  reading_time_seconds: number;
  keywords: { term: string; count: number; weight: number }[];
  summary: string;
}

/** The result of the `summarize` task. */
export interface SummarizeResult {
  summary: string;
}

/** The result of the `report` task; the report itself is the `report.html` artifact. */
export interface ReportResult {
  report: string;
  bytes: number;
  summary: string;
  keywords: string[];
}

/** The result of the `draft` task: the concatenation of its output events' text. */
export interface DraftResult {
  text: string;
}

/** The result of the `pipeline` task, assembled from its five steps' checkpoints. */
export interface PipelineResult {
  outline: string[];
  keywords: string[];
  summary: string;
  word_count: number;
  sentence_count: number;
}

/** The API's resources, as API Gateway names them, and the methods each answers. */
export const ROUTES = {
  invoke: { resource: '/v1/invoke', methods: { POST: 'invoke' } },
  status: { resource: '/v1/status/{request_id}', methods: { GET: 'status', DELETE: 'cancel' } },
  webhookSecret: { resource: '/v1/webhook-secret', methods: { GET: 'webhookSecret' } },
  requests: { resource: '/v1/requests', methods: { GET: 'list' } },
  events: { resource: '/v1/status/{request_id}/events', methods: { GET: 'events' } },
} as const;
export type RouteName = 'invoke' | 'status' | 'cancel' | 'webhookSecret' | 'list' | 'events';

export const LIST_PATH = ROUTES.requests.resource;
/** `GET /v1/requests?limit=`: at most this many a page, and this many when not asked. */
export const MAX_LIST_LIMIT = 100;
export const DEFAULT_LIST_LIMIT = 20;

/** One request as `GET /v1/requests` lists it: its view without the result or files, and where to read the rest. */
export type RequestSummary = Omit<RequestView, 'result' | 'result_url' | 'result_size' | 'artifacts' | 'callback'> & { status_url: string };

/** What `GET /v1/requests` answers: the caller's own requests, newest first, and the cursor of the next page (null: no more). */
export interface RequestList {
  requests: RequestSummary[];
  next_cursor: string | null;
}

export const WEBHOOK_SECRET_PATH = ROUTES.webhookSecret.resource;

/** What `GET /v1/webhook-secret` answers: the Standard Webhooks secret that signs the caller's webhooks. */
export interface WebhookSecret {
  secret: string;
}

export const INVOKE_PATH = ROUTES.invoke.resource;

/** The path of one request's status (and cancel). */
export function statusPath(requestId: string): string {
  return ROUTES.status.resource.replace('{request_id}', encodeURIComponent(requestId));
}

/** The path of one request's event stream (`text/event-stream`). */
export function eventsPath(requestId: string): string {
  return ROUTES.events.resource.replace('{request_id}', encodeURIComponent(requestId));
}

/** An event of `GET /v1/status/{request_id}/events`, as a client reads it; `id` resumes after it. */
export type StreamEvent =
  | { id: string; event: 'status'; data: { status: RequestStatus } }
  | { id: string; event: 'progress'; data: Progress }
  | { id: string; event: 'step'; data: StepView }
  | { id: string; event: 'output'; data: { seq: number; text: string } }
  | { id: string; event: 'end'; data: RequestView };

/** The most a `GET /v1/status/{id}?wait=N` is held, in seconds: well inside API Gateway's 29 s. */
export const MAX_WAIT_SECONDS = 25;

/** What a poller cares about: a change here ends a long-poll and is worth telling a progress callback. */
export function changeFingerprint(view: Pick<RequestView, 'status' | 'progress'>): string {
  return `${view.status}|${view.progress?.percent}|${view.progress?.message}`;
}

/** Headers a browser may read from every answer, besides the CORS-safelisted ones. */
export const EXPOSED_HEADERS = ['Location', 'Retry-After'] as const;
/** Methods and request headers a browser may use, as preflights answer. */
export const ALLOWED_METHODS = ['GET', 'POST', 'DELETE', 'OPTIONS'] as const;
export const ALLOWED_HEADERS = ['Content-Type', 'Idempotency-Key', 'Authorization', 'X-Api-Key'] as const;
