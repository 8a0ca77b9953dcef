import { LIST_PATH } from '../../src/contract.js';

/** What walking a user's list while two users submit found; every count but `walks` and `pages` should be 0. */
export interface WalkReport {
  walks: number;
  pages: number;
  /** A request listed twice in one walk. */
  duplicates: number;
  /** Another user's request listed. */
  foreign: number;
  /** The walker's own request, accepted before the walk began, not listed. */
  missing: number;
  /** Requests of the walker's accepted, and listed by a walk after the last submit. */
  accepted: number;
  listedAtEnd: number;
}

type Bearer = Record<string, string>;

async function walk(url: string, headers: Bearer, pageSize: number): Promise<{ ids: string[]; pages: number }> {
  const ids: string[] = [];
  let cursor: string | null = null;
  let pages = 0;
  do {
    const query = `?limit=${pageSize}${cursor === null ? '' : `&cursor=${encodeURIComponent(cursor)}`}`;
    const response = await fetch(`${url}${LIST_PATH}${query}`, { headers });
    if (response.status !== 200) throw new Error(`GET ${LIST_PATH} answered ${response.status}: ${await response.text()}`);
    const page = (await response.json()) as { requests: Array<{ request_id: string }>; next_cursor: string | null };
    ids.push(...page.requests.map((item) => item.request_id));
    cursor = page.next_cursor;
    pages += 1;
  } while (cursor !== null);
  return { ids, pages };
}

/**
 * Submits `total` requests, alternating between two users, `concurrency` at a time, while the first
 * user walks their list page by page, walk after walk, until the last submit is answered; then
 * walks once more. Each walk is checked against what was accepted before it began.
 */
export async function walkWhileSubmitting(url: string, users: [Bearer, Bearer], options: { total: number; concurrency: number; pageSize: number }): Promise<WalkReport> {
  const accepted: [Set<string>, Set<string>] = [new Set(), new Set()];
  let next = 0;
  const submitter = async () => {
    while (next < options.total) {
      const user = next++ % 2;
      const response = await fetch(`${url}/v1/invoke`, { method: 'POST', headers: { ...users[user], 'Content-Type': 'application/json' }, body: JSON.stringify({ prompt: `Request ${next} of a listing walk.` }) });
      if (response.status !== 202) throw new Error(`POST /v1/invoke answered ${response.status}: ${await response.text()}`);
      accepted[user as 0 | 1].add(((await response.json()) as { request_id: string }).request_id);
    }
  };
  let done = false;
  const submitting = Promise.all(Array.from({ length: options.concurrency }, submitter)).finally(() => (done = true));
  const report: WalkReport = { walks: 0, pages: 0, duplicates: 0, foreign: 0, missing: 0, accepted: 0, listedAtEnd: 0 };
  const everListed = new Set<string>();
  const checkedWalk = async () => {
    const before = new Set(accepted[0]);
    const { ids, pages } = await walk(url, users[0], options.pageSize);
    report.walks += 1;
    report.pages += pages;
    report.duplicates += ids.length - new Set(ids).size;
    report.missing += [...before].filter((id) => !ids.includes(id)).length;
    for (const id of ids) everListed.add(id);
    return ids;
  };
  while (!done) await checkedWalk();
  await submitting;
  const last = await checkedWalk();
  // Checked once the other user's ids are all known: any of them listed in any walk counts.
  report.foreign = [...everListed].filter((id) => accepted[1].has(id)).length;
  report.accepted = accepted[0].size;
  report.listedAtEnd = last.length;
  return report;
}
