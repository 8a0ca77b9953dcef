import type { Client, RequestSummary } from '../client/index.js';
import { element, make } from './dom.js';

/** Requests shown per page of "Your requests"; "More" reads the next. */
const PAGE_SIZE = 20;

/** The hash that opens one request on the page, so its link survives a reload and can be shared with oneself. */
export function requestHash(requestId: string): string {
  return `#request=${encodeURIComponent(requestId)}`;
}

/** The request id in a `#request=<id>` hash, if that is what the hash holds. */
export function requestIdFromHash(hash: string): string | undefined {
  const match = /^#request=(.+)$/.exec(hash);
  return match === null ? undefined : decodeURIComponent(match[1]!);
}

export interface MyRequests {
  /** Reads the newest page again and shows it in place of what was there. */
  refresh(): Promise<void>;
  /** Empties the list and shows `message` instead (signed out, a refusal). */
  clear(message: string): void;
}

/**
 * "Your requests": the signed-in user's requests, newest first, each with its status, task, when it
 * was made and a link that shows it (`onShow`). `describe` turns a failed call into the sentence to show.
 */
export function createMyRequests(client: Client, describe: (error: unknown) => string, onShow: (requestId: string) => void): MyRequests {
  const section = element<HTMLElement>('my-requests');
  const table = element<HTMLTableElement>('my-requests-table');
  const rows = element<HTMLTableSectionElement>('my-requests-list');
  const note = element<HTMLParagraphElement>('my-requests-note');
  const more = element<HTMLButtonElement>('my-requests-more');
  let cursor: string | null = null;
  // A refresh started later wins: an older answer (another user's, before a switch) is dropped.
  let generation = 0;

  function row(request: RequestSummary): HTMLTableRowElement {
    const tr = make('tr');
    tr.dataset.requestId = request.request_id;
    const badge = make('span', request.error_code === 'cancelled' ? 'cancelled' : request.status, 'badge');
    badge.dataset.status = badge.textContent ?? request.status;
    const link = make('a', 'Show');
    link.href = requestHash(request.request_id);
    link.title = `Show request ${request.request_id}`;
    // Also when the hash already names it (after a reload), where no hashchange would fire.
    link.addEventListener('click', (event) => {
      event.preventDefault();
      window.history.replaceState(null, '', link.hash);
      onShow(request.request_id);
    });
    const created = make('time', new Date(request.created_at).toLocaleString());
    created.dateTime = request.created_at;
    const cells: (Node | string)[] = [badge, request.task, created, link];
    for (const cell of cells) {
      const td = make('td');
      td.append(cell);
      tr.append(td);
    }
    return tr;
  }

  async function load(fromCursor: string | undefined): Promise<void> {
    const mine = (generation += 1);
    section.hidden = false;
    section.setAttribute('aria-busy', 'true');
    try {
      const pages = client.list({ limit: PAGE_SIZE, ...(fromCursor !== undefined ? { cursor: fromCursor } : {}) });
      const { value: page } = await pages[Symbol.asyncIterator]().next();
      if (mine !== generation || page === undefined) return;
      if (fromCursor === undefined) rows.replaceChildren();
      rows.append(...page.requests.map(row));
      cursor = page.next_cursor;
      more.hidden = cursor === null;
      note.textContent = rows.childElementCount === 0 ? 'No requests yet: submit one above.' : '';
      note.hidden = rows.childElementCount !== 0;
      table.hidden = rows.childElementCount === 0;
    } catch (error) {
      if (mine === generation) clear(describe(error));
    } finally {
      if (mine === generation) section.removeAttribute('aria-busy');
    }
  }

  function clear(message: string): void {
    generation += 1;
    rows.replaceChildren();
    table.hidden = true;
    cursor = null;
    more.hidden = true;
    note.textContent = message;
    note.hidden = false;
    section.removeAttribute('aria-busy');
  }

  more.addEventListener('click', () => {
    if (cursor !== null) void load(cursor);
  });
  return { refresh: () => load(undefined), clear };
}
