/** Where a request is in its life; `complete` and `error` are terminal and never change again. */
export const RequestStatus = {
  Pending: 'pending',
  Processing: 'processing',
  Complete: 'complete',
  Error: 'error',
} as const;
export type RequestStatus = (typeof RequestStatus)[keyof typeof RequestStatus];

/** The tasks the v1 API knows; `assess` is the default. */
export type TaskName = 'assess' | 'summarize';

/** Body of `POST /v1/invoke`. */
export interface SubmitInput {
  prompt: string;
  session_id?: string;
  task?: TaskName;
}

/** What `POST /v1/invoke` answers with `202`. */
export interface SubmitResult {
  request_id: string;
  status: RequestStatus;
  status_url: string;
  message: string;
}

export interface Progress {
  percent: number;
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
  result?: Result;
  error?: string;
  error_code?: string;
}

/** A request that ended as `complete`: its `result` is there. */
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

/** `true` once a request can no longer change. */
export function isTerminal(status: RequestStatus): boolean {
  return status === RequestStatus.Complete || status === RequestStatus.Error;
}
