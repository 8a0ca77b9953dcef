import {
  DEFAULT_TASK,
  DownloadError,
  HttpError,
  RequestFailedError,
  TASKS,
  TASK_NAMES,
  UnauthorizedError,
  createClient,
  type RequestView,
  type TaskName,
} from '../client/index.js';
import { formatBytes, formatStep } from '../client/format.js';
import { isAssessResult, isPipelineResult, isReportResult } from '../client/result-shapes.js';
import { element, make } from './dom.js';
import { createMyRequests, requestIdFromHash } from './my-requests.js';
import { createSignInPanel, type SignInPanel } from './sign-in-panel.js';
import { loadSiteConfig, type SignedIn } from './sign-in.js';

/** Set once /config.json says the stack signs users in. */
let signIn: SignInPanel | undefined;
/** The page is served by the API's own front, so the API is this origin; the tab's user's token rides on every call. */
const client = createClient({ baseUrl: window.location.origin, token: () => signIn?.token() });
/** What the page says once the API refused the tab's token. */
const SIGN_IN_AGAIN = 'Your sign-in has expired or was refused: sign in again.';


const form = element<HTMLFormElement>('submit-form');
const prompt = element<HTMLTextAreaElement>('prompt');
const task = element<HTMLSelectElement>('task');
const submitButton = element<HTMLButtonElement>('submit');
const cancelButton = element<HTMLButtonElement>('cancel');
const progress = element<HTMLProgressElement>('progress');
const statusLabel = element<HTMLSpanElement>('status-label');
const statusMessage = element<HTMLSpanElement>('status-message');
const requestIdLine = element<HTMLParagraphElement>('request-id');
const errorBox = element<HTMLElement>('error');
const errorMessage = element<HTMLParagraphElement>('error-message');
const errorCode = element<HTMLElement>('error-code');
const resultBox = element<HTMLElement>('result');
const resultBody = element<HTMLDivElement>('result-body');
const downloadsBox = element<HTMLDivElement>('downloads');
const downloadList = element<HTMLUListElement>('download-list');
const downloadsNote = element<HTMLParagraphElement>('downloads-note');

/** A result the API only links (`result_url`) is fetched and shown up to this size; beyond, only linked. */
const SHOW_LINKED_RESULT_MAX_BYTES = 1024 * 1024;
/** Presigned URLs are signed again this long before they expire (at most a quarter of what they have left). */
const REFRESH_LEAD_MS = 30_000;

/** What the badge says of a request its user cancelled: an `error` to the API, but nothing went wrong. */
const CANCELLED = 'cancelled';

let running: { controller: AbortController; requestId?: string } | undefined;
/** The request whose result and links are on the page, and the timer that re-signs its links. */
let shown: { requestId: string; refresh?: ReturnType<typeof setTimeout> } | undefined;

// The tasks the API knows, from the contract the client ships with.
for (const name of TASK_NAMES) {
  const option = new Option(name[0]!.toUpperCase() + name.slice(1), name, name === DEFAULT_TASK, name === DEFAULT_TASK);
  option.title = TASKS[name];
  task.append(option);
}


function showStatus(status: string, message: string): void {
  statusLabel.dataset.status = status;
  statusLabel.textContent = status;
  statusMessage.textContent = message;
}

function showView(view: RequestView): void {
  if (view.progress !== undefined) progress.value = view.progress.percent;
  const message = view.progress?.message ?? (view.status === 'pending' ? 'Waiting for a worker…' : 'Working…');
  // Between two steps a request is pending again while a fresh invocation picks it up.
  showStatus(view.status, view.step !== undefined ? `${message} (${formatStep(view.step)})` : message);
}

function setRunning(isRunning: boolean): void {
  submitButton.disabled = isRunning;
  cancelButton.disabled = !isRunning;
  prompt.readOnly = isRunning;
  task.disabled = isRunning;
}



function renderChips(terms: string[], label: string): HTMLElement {
  const chips = make('ul', undefined, 'chips');
  chips.setAttribute('aria-label', label);
  for (const term of terms) chips.append(make('li', term, 'chip'));
  if (terms.length === 0) chips.append(make('li', 'none', 'chip'));
  return chips;
}

function renderSummary(summary: string): HTMLElement {
  const section = make('div');
  section.append(make('h3', 'Summary'), make('blockquote', summary || '(no summary)'));
  return section;
}


/** Tiles of figures; a `name` (a file's) is set smaller, to fit a narrow tile whole. */
function renderStats(entries: [string, string, 'name'?][]): HTMLElement {
  const stats = make('dl', undefined, 'stats');
  for (const [label, value, kind] of entries) {
    const stat = make('div', undefined, 'stat');
    stat.append(make('dt', label), make('dd', value, kind));
    stats.append(stat);
  }
  return stats;
}

function renderResult(result: unknown): void {
  resultBody.replaceChildren();
  if (isPipelineResult(result)) {
    const outline = make('ol', undefined, 'outline');
    for (const line of result.outline) outline.append(make('li', line));
    resultBody.append(
      renderStats([
        ['Words', String(result.word_count)],
        ['Sentences', String(result.sentence_count)],
      ]),
      make('h3', 'Outline'),
      outline,
      make('h3', 'Keywords'),
      renderChips(result.keywords, 'Top keywords'),
      renderSummary(result.summary),
    );
  } else if (isReportResult(result)) {
    const chips = renderChips(result.keywords, 'Top keywords');
    resultBody.append(
      renderStats([
        ['Report', result.report, 'name'],
        ['Report size', formatBytes(result.bytes)],
      ]),
      make('h3', 'Keywords'),
      chips,
      renderSummary(result.summary),
    );
  } else if (isAssessResult(result)) {
    const stats = renderStats([
      ['Words', String(result.word_count)],
      ['Sentences', String(result.sentence_count)],
      ['Characters', String(result.character_count)],
      ['Reading time', `${result.reading_time_seconds} s`],
    ]);
    const keywordsHeading = make('h3', 'Keywords');
    const chips = make('ul', undefined, 'chips');
    chips.setAttribute('aria-label', 'Keywords with count and weight');
    for (const keyword of result.keywords) {
      const chip = make('li', keyword.term, 'chip');
      chip.append(make('small', `×${keyword.count} · ${keyword.weight.toFixed(2)}`));
      chips.append(chip);
    }
    if (result.keywords.length === 0) chips.append(make('li', 'none', 'chip'));
    resultBody.append(stats, keywordsHeading, chips, renderSummary(result.summary));
  } else if (typeof result === 'object' && result !== null && Object.keys(result).length === 1 && typeof (result as { summary?: unknown }).summary === 'string') {
    resultBody.append(renderSummary((result as { summary: string }).summary));
  } else {
    resultBody.append(make('pre', JSON.stringify(result, null, 2)));
  }
}

/** When a presigned URL stops working: its signing time plus its lifetime (SigV4 query parameters). */
function urlExpiry(url: string): number | undefined {
  try {
    const params = new URL(url).searchParams;
    const signed = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(params.get('X-Amz-Date') ?? '');
    const seconds = Number(params.get('X-Amz-Expires'));
    if (signed === null || !Number.isFinite(seconds)) return undefined;
    const [, year, month, day, hour, minute, second] = signed.map(Number) as number[];
    return Date.UTC(year!, month! - 1, day!, hour!, minute!, second!) + seconds * 1000;
  } catch {
    return undefined;
  }
}

/**
 * One link per file the request wrote (name, size, type), and one to a result the API only links.
 * The URLs are presigned: they carry their own authority (the bucket serves CORS for GET) and last
 * a while, so they are signed again by reading the request shortly before they expire.
 */
function renderDownloads(view: RequestView): void {
  const entries: { label: string; fileName: string; url: string; size: number | undefined; type: string; kind: string }[] = (view.artifacts ?? []).map((file) => ({
    label: file.name,
    fileName: file.name,
    url: file.url,
    size: file.size,
    type: file.content_type,
    kind: 'artifact',
  }));
  if (view.result_url !== undefined) {
    entries.push({ label: 'Full result (JSON)', fileName: `result-${view.request_id}.json`, url: view.result_url, size: view.result_size, type: 'application/json', kind: 'result' });
  }
  downloadList.replaceChildren();
  downloadsNote.hidden = true;
  for (const entry of entries) {
    const item = make('li');
    const link = make('a', entry.label, 'download');
    link.href = entry.url;
    link.download = entry.fileName;
    link.addEventListener('click', (event) => {
      event.preventDefault();
      void save(link, view, entry.kind === 'artifact' ? entry.fileName : undefined, entry.fileName, entry.type);
    });
    link.dataset.name = entry.fileName;
    link.dataset.kind = entry.kind;
    if (entry.size !== undefined) {
      link.dataset.size = String(entry.size);
      link.title = `${entry.size.toLocaleString('en')} bytes, ${entry.type}`;
    }
    item.append(link, make('span', entry.size !== undefined ? formatBytes(entry.size) : '', 'muted size'), make('span', entry.type, 'muted'));
    downloadList.append(item);
  }
  downloadsBox.hidden = entries.length === 0;

  if (shown?.refresh !== undefined) clearTimeout(shown.refresh);
  const expiries = entries.map((entry) => urlExpiry(entry.url)).filter((expiry): expiry is number => expiry !== undefined);
  if (shown === undefined || shown.requestId !== view.request_id || expiries.length === 0) return;
  const left = Math.min(...expiries) - Date.now();
  shown.refresh = setTimeout(() => void refreshLinks(view.request_id), Math.max(1000, left - Math.min(REFRESH_LEAD_MS, left / 4)));
}

/**
 * Saves a file rather than opening it in a tab: a browser honours `download` on same-origin links
 * only, and the bucket is another origin. The client fetches it (signing its URL again if it has
 * expired) and the page hands the bytes to the browser as a same-origin blob.
 */
async function save(link: HTMLAnchorElement, view: RequestView, name: string | undefined, fileName: string, type: string): Promise<void> {
  if (link.getAttribute('aria-busy') === 'true') return;
  link.setAttribute('aria-busy', 'true');
  try {
    const { bytes } = await client.download(view, name);
    const url = URL.createObjectURL(new Blob([bytes as Uint8Array<ArrayBuffer>], { type }));
    const saver = make('a');
    saver.href = url;
    saver.download = fileName;
    saver.click();
    // The browser has taken the blob once the click is handled; free it on the next turn.
    setTimeout(() => URL.revokeObjectURL(url), 0);
  } catch (error) {
    downloadsNote.textContent = `${fileName} could not be downloaded: ${explain(error).message}`;
    downloadsNote.hidden = false;
  } finally {
    link.removeAttribute('aria-busy');
  }
}

/** Reads the request again for freshly signed links; once the request itself has expired, says so. */
async function refreshLinks(requestId: string): Promise<void> {
  try {
    const view = await client.get(requestId);
    if (shown?.requestId === requestId && view.status === 'complete') renderDownloads(view);
  } catch (error) {
    if (shown?.requestId !== requestId) return;
    if (error instanceof HttpError && error.status === 404) {
      for (const link of Array.from(downloadList.querySelectorAll('a.download'))) link.replaceWith(make('span', link.textContent ?? '', 'expired'));
      downloadsNote.textContent = 'The request has expired, and its files with it.';
      downloadsNote.hidden = false;
    } else {
      shown.refresh = setTimeout(() => void refreshLinks(requestId), 10_000);
    }
  }
}

/** A complete request: its result (fetched when the API only links it and it is small enough to show) and its downloads. */
async function showOutcome(view: RequestView, signal: AbortSignal): Promise<void> {
  shown = { requestId: view.request_id };
  if (view.result !== undefined) {
    renderResult(view.result);
  } else if (view.result_url !== undefined && (view.result_size ?? Number.POSITIVE_INFINITY) <= SHOW_LINKED_RESULT_MAX_BYTES) {
    showStatus('complete', 'Loading the result…');
    try {
      const { bytes } = await client.download(view, undefined, { signal });
      renderResult(JSON.parse(new TextDecoder().decode(bytes)));
    } catch (error) {
      if (signal.aborted) throw error;
      resultBody.replaceChildren(make('p', `The result could not be loaded here (${explain(error).message}); download it below.`, 'notice'));
    }
  } else if (view.result_url !== undefined) {
    resultBody.replaceChildren(make('p', `The result is ${formatBytes(view.result_size ?? 0)} of JSON, too large to show here; download it below.`, 'notice'));
  }
  renderDownloads(view);
  resultBox.hidden = false;
}

function showError(message: string, code: string): void {
  errorMessage.textContent = message;
  errorCode.textContent = code;
  errorBox.hidden = false;
}

/** An error as a person reads it: the API's sentence, not a stack. */
function explain(error: unknown): { message: string; code: string } {
  if (error instanceof RequestFailedError) return { message: error.message, code: error.error_code };
  if (error instanceof DownloadError) return { message: error.message, code: error.code };
  if (error instanceof UnauthorizedError) return { message: `${SIGN_IN_AGAIN} (${error.reason})`, code: error.code ?? 'unauthorized' };
  if (error instanceof HttpError) {
    const body = error.body as { error?: string; message?: string } | undefined;
    const sentence = body?.error ?? body?.message ?? error.message;
    // 403: this caller may not do it; a tab with no user is most likely just not signed in yet.
    if (error.status === 403) return { message: `Not allowed: ${sentence}${signIn !== undefined && signIn.user() === undefined ? ' Sign in first.' : ''}`, code: error.code ?? 'forbidden' };
    return { message: sentence, code: error.code ?? `http_${error.status}` };
  }
  if (error instanceof TypeError) return { message: 'The API could not be reached. Is the local stack running?', code: 'network_error' };
  return { message: error instanceof Error ? error.message : String(error), code: 'unexpected' };
}

/** Forgets the previous request: its progress, id, error and result. */
function clearPanel(): void {
  errorBox.hidden = true;
  errorMessage.textContent = '';
  errorCode.textContent = '';
  resultBox.hidden = true;
  resultBody.replaceChildren();
  downloadsBox.hidden = true;
  downloadList.replaceChildren();
  downloadsNote.hidden = true;
  if (shown?.refresh !== undefined) clearTimeout(shown.refresh);
  shown = undefined;
  progress.value = 0;
  requestIdLine.hidden = true;
  requestIdLine.textContent = '';
}

type Running = { controller: AbortController; requestId?: string };

/** Long-polls a request with the panel showing its progress, then shows its outcome. */
async function follow(current: Running, requestId: string): Promise<void> {
  current.requestId = requestId;
  requestIdLine.textContent = `Request ${requestId}`;
  requestIdLine.hidden = false;
  // A result the API only links is fetched by showOutcome, and only when it is small enough to show.
  const view = await client.wait(requestId, { signal: current.controller.signal, onProgress: showView, fetchResult: false });
  progress.value = 100;
  await showOutcome(view, current.controller.signal);
  showStatus('complete', 'Done.');
}

/** Runs `work` as the panel's one request; one started later (another shown, a user switch) supersedes it. */
async function drive(work: (current: Running) => Promise<void>): Promise<void> {
  running?.controller.abort();
  const current: Running = { controller: new AbortController() };
  running = current;
  clearPanel();
  setRunning(true);
  try {
    await work(current);
  } catch (error) {
    if (running !== current) return;
    if (current.controller.signal.aborted) {
      showStatus(CANCELLED, 'Cancelled.');
    } else {
      if (error instanceof UnauthorizedError) signIn?.signOut(SIGN_IN_AGAIN);
      const { message, code } = explain(error);
      showStatus('error', message);
      showError(message, code);
    }
  } finally {
    if (running === current) {
      running = undefined;
      setRunning(false);
    }
    if (signIn?.user() !== undefined) void myRequests.refresh();
  }
}

async function run(): Promise<void> {
  if (running !== undefined) return;
  const text = prompt.value;
  if (text.trim() === '') {
    clearPanel();
    showStatus('idle', 'Type a prompt first.');
    prompt.focus();
    return;
  }
  await drive(async (current) => {
    showStatus('pending', 'Submitting…');
    const accepted = await client.submit({ prompt: text, task: task.value as TaskName }, { signal: current.controller.signal });
    if (signIn?.user() !== undefined) void myRequests.refresh();
    showStatus(accepted.status, 'Accepted; waiting for a worker…');
    window.history.replaceState(null, '', '#');
    await follow(current, accepted.request_id);
  });
}

/** Shows a request picked from "Your requests" (or named by the page's hash): its progress, then its result. */
function showRequest(requestId: string): Promise<void> {
  return drive(async (current) => {
    showStatus('pending', 'Reading the request…');
    await follow(current, requestId);
  });
}

async function cancel(): Promise<void> {
  const current = running;
  if (current === undefined) return;
  cancelButton.disabled = true;
  showStatus('processing', 'Cancelling…');
  const requestId = current.requestId;
  current.controller.abort();
  if (requestId === undefined) return;
  try {
    const view = await client.cancel(requestId);
    showStatus(CANCELLED, `Cancelled: ${view.error ?? 'the request was cancelled'}`);
  } catch (error) {
    // 409: it finished first; the request is terminal either way.
    const { message } = explain(error);
    showStatus('error', `Could not cancel: ${message}`);
  }
}

form.addEventListener('submit', (event) => {
  event.preventDefault();
  void run();
});
cancelButton.addEventListener('click', () => void cancel());
form.addEventListener('keydown', (event) => {
  if (event.key === 'Enter' && (event.ctrlKey || event.metaKey)) {
    event.preventDefault();
    void run();
  }
});

const myRequests = createMyRequests(client, (error) => {
  if (error instanceof UnauthorizedError) signIn?.signOut(SIGN_IN_AGAIN);
  return explain(error).message;
}, (requestId) => void showRequest(requestId));

/** Another user in this tab: nothing of the previous one stays on the page. */
function onUserChange(user: SignedIn | undefined): void {
  running?.controller.abort();
  running = undefined;
  setRunning(false);
  clearPanel();
  window.history.replaceState(null, '', '#');
  if (user === undefined) {
    myRequests.clear('Sign in to see your requests.');
    showStatus('idle', 'Signed out.');
    return;
  }
  showStatus('idle', `Signed in as ${user.sub}. Type a prompt and press Submit.`);
  void myRequests.refresh();
}

window.addEventListener('hashchange', () => {
  const requestId = requestIdFromHash(window.location.hash);
  if (requestId !== undefined) void showRequest(requestId);
});

async function start(): Promise<void> {
  setRunning(false);
  showStatus('idle', 'Ready. Type a prompt and press Submit (Ctrl/⌘+Enter).');
  try {
    const config = await loadSiteConfig();
    if (config.auth === 'jwt') {
      signIn = createSignInPanel(config, onUserChange);
      if (signIn.user() !== undefined) void myRequests.refresh();
      else myRequests.clear('Sign in to see your requests.');
    }
  } catch (error) {
    showStatus('error', `The page could not read its settings (config.json): ${explain(error).message}`);
  }
  const requestId = requestIdFromHash(window.location.hash);
  if (requestId !== undefined) await showRequest(requestId);
}

void start();
