import { beforeAll, describe, expect, it } from 'vitest';
import { HttpError, createClient, type RequestPage, type RequestSummary } from '../../src/client/index.js';
import { useScriptedServer } from './scripted-server.js';

const CREATED = '2026-01-01T00:00:00.000Z';

function summary(index: number, baseUrl: string): RequestSummary {
  const id = `00000000-0000-4000-8000-${String(index).padStart(12, '0')}`;
  return { request_id: id, status: 'complete', task: 'assess', created_at: CREATED, updated_at: CREATED, status_url: `${baseUrl}/v1/status/${id}` };
}

/** A real HTTP server answering scripted pages and keeping each request's URL. */
describe('client.list', () => {
  const server = useScriptedServer();
  const script = server.script;
  const urls = () => server.received().map((request) => request.url);
  let baseUrl: string;
  beforeAll(() => {
    baseUrl = server.baseUrl();
  });

  it('walks the pages, following next_cursor until it is null, with the filters on every call', async () => {
    script(
      { status: 200, body: { requests: [summary(1, baseUrl), summary(2, baseUrl)], next_cursor: 'c/1+=' } },
      { status: 200, body: { requests: [summary(3, baseUrl)], next_cursor: null } },
    );
    const client = createClient({ baseUrl });
    const pages: RequestPage[] = [];

    for await (const page of client.list({ status: 'complete', limit: 2 })) pages.push(page);

    expect(pages.map((page) => page.requests.length)).toEqual([2, 1]);
    expect(urls()).toEqual(['/v1/requests?status=complete&limit=2', '/v1/requests?status=complete&limit=2&cursor=c%2F1%2B%3D']);
  });

  it('iterates the items across pages, and starts from a cursor when given one', async () => {
    script(
      { status: 200, body: { requests: [summary(4, baseUrl)], next_cursor: 'next' } },
      { status: 200, body: { requests: [summary(5, baseUrl), summary(6, baseUrl)], next_cursor: null } },
    );
    const client = createClient({ baseUrl });
    const ids: string[] = [];

    for await (const item of client.list({ cursor: 'earlier' }).items()) ids.push(item.request_id);

    expect(ids).toEqual([summary(4, baseUrl).request_id, summary(5, baseUrl).request_id, summary(6, baseUrl).request_id]);
    expect(urls()).toEqual(['/v1/requests?cursor=earlier', '/v1/requests?cursor=next']);
  });

  it('stops asking once the caller breaks out of the loop', async () => {
    script(
      { status: 200, body: { requests: [summary(7, baseUrl), summary(8, baseUrl)], next_cursor: 'more' } },
      { status: 200, body: { requests: [summary(9, baseUrl)], next_cursor: null } },
    );
    const client = createClient({ baseUrl });

    for await (const item of client.list().items()) {
      expect(item.request_id).toBe(summary(7, baseUrl).request_id);
      break;
    }

    expect(urls()).toEqual(['/v1/requests']);
  });

  it('throws the API refusal as an HttpError with its code, without retrying a 4xx', async () => {
    script({ status: 400, body: { error: 'cursor was not issued to this caller', error_code: 'invalid_request', field: 'cursor' } });
    const client = createClient({ baseUrl, retry: { baseMs: 1, maxMs: 2 } });

    const error = await client
      .list({ cursor: 'someone-elses' })
      [Symbol.asyncIterator]()
      .next()
      .catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(HttpError);
    expect(error).toMatchObject({ status: 400, body: { field: 'cursor' } });
    expect(urls()).toHaveLength(1);
  });

  it('rides out a passing 503 as the other reads do', async () => {
    script(
      { status: 503, body: { error: 'busy', error_code: 'service_unavailable' } },
      { status: 200, body: { requests: [], next_cursor: null } },
    );
    const client = createClient({ baseUrl, retry: { baseMs: 1, maxMs: 2 } });
    const pages: RequestPage[] = [];

    for await (const page of client.list()) pages.push(page);

    expect(pages).toEqual([{ requests: [], next_cursor: null }]);
    expect(urls()).toHaveLength(2);
  });
});
