import { LIST_PATH, type RequestList, type RequestStatus, type RequestSummary } from '../contract.js';

/** One page of `GET /v1/requests`; `next_cursor` asks for the next, null on the last. */
export type RequestPage = RequestList;

export interface ListOptions {
  /** Only requests in this status. */
  status?: RequestStatus;
  /** Requests per page, 1-100 (the API's default is 20). */
  limit?: number;
  /** Start from this page: a `next_cursor` the API gave this same caller. */
  cursor?: string;
  signal?: AbortSignal;
}

/** The caller's requests, page by page (`for await (const page of pages)`) or one by one (`pages.items()`). */
export interface RequestPages extends AsyncIterable<RequestPage> {
  items(): AsyncIterable<RequestSummary>;
}

/** Reads one page at a path with its query; the client's retried GET. */
export type ReadPage = (pathAndQuery: string, signal: AbortSignal | undefined) => Promise<RequestPage>;

function pagePath(options: ListOptions, cursor: string | undefined): string {
  const query = new URLSearchParams();
  if (options.status !== undefined) query.set('status', options.status);
  if (options.limit !== undefined) query.set('limit', String(options.limit));
  if (cursor !== undefined) query.set('cursor', cursor);
  const text = query.toString();
  return text === '' ? LIST_PATH : `${LIST_PATH}?${text}`;
}

/** Lazily walks the pages: each is asked for only when the loop wants it, so breaking out stops the calls. */
export function listRequests(read: ReadPage, options: ListOptions = {}): RequestPages {
  async function* pages(): AsyncGenerator<RequestPage> {
    let cursor = options.cursor;
    for (;;) {
      const page = await read(pagePath(options, cursor), options.signal);
      yield page;
      if (page.next_cursor === null || page.next_cursor === undefined) return;
      cursor = page.next_cursor;
    }
  }
  return {
    [Symbol.asyncIterator]: pages,
    async *items() {
      for await (const page of pages()) yield* page.requests;
    },
  };
}
