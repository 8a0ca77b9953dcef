import { DEFAULT_TASK, HttpError, RequestFailedError, TASKS, TASK_NAMES, createClient, type AssessResult, type RequestView, type TaskName } from '../client/index.js';

/** The page is served by the API's own front, so the API is this origin. */
const client = createClient({ baseUrl: window.location.origin });

function element<T extends HTMLElement>(id: string): T {
  const found = document.getElementById(id);
  if (found === null) throw new Error(`demo page: #${id} is missing`);
  return found as T;
}

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

let running: { controller: AbortController; requestId?: string } | undefined;

// The tasks the API knows, from the contract the client ships with.
for (const name of TASK_NAMES) {
  const option = new Option(name[0]!.toUpperCase() + name.slice(1), name, name === DEFAULT_TASK, name === DEFAULT_TASK);
  option.title = TASKS[name];
  task.append(option);
}

function make<K extends keyof HTMLElementTagNameMap>(tag: K, text?: string, className?: string): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  if (text !== undefined) node.textContent = text;
  if (className !== undefined) node.className = className;
  return node;
}

function showStatus(status: string, message: string): void {
  statusLabel.dataset.status = status;
  statusLabel.textContent = status;
  statusMessage.textContent = message;
}

function showView(view: RequestView): void {
  if (view.progress !== undefined) progress.value = view.progress.percent;
  showStatus(view.status, view.progress?.message ?? (view.status === 'pending' ? 'Waiting for a worker…' : 'Working…'));
}

function setRunning(isRunning: boolean): void {
  submitButton.disabled = isRunning;
  cancelButton.disabled = !isRunning;
  prompt.readOnly = isRunning;
  task.disabled = isRunning;
}

function isAssessResult(value: unknown): value is AssessResult {
  const result = value as Partial<AssessResult> | null;
  return typeof result === 'object' && result !== null && typeof result.word_count === 'number' && Array.isArray(result.keywords);
}

function renderSummary(summary: string): HTMLElement {
  const section = make('div');
  section.append(make('h3', 'Summary'), make('blockquote', summary || '(no summary)'));
  return section;
}

function renderResult(result: unknown): void {
  resultBody.replaceChildren();
  if (isAssessResult(result)) {
    const stats = make('dl', undefined, 'stats');
    const entries: [string, string][] = [
      ['Words', String(result.word_count)],
      ['Sentences', String(result.sentence_count)],
      ['Characters', String(result.character_count)],
      ['Reading time', `${result.reading_time_seconds} s`],
    ];
    for (const [label, value] of entries) {
      const stat = make('div', undefined, 'stat');
      stat.append(make('dt', label), make('dd', value));
      stats.append(stat);
    }
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
  if (error instanceof HttpError) {
    const body = error.body as { error?: string; message?: string } | undefined;
    return { message: body?.error ?? body?.message ?? error.message, code: error.code ?? `http_${error.status}` };
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
  progress.value = 0;
  requestIdLine.hidden = true;
  requestIdLine.textContent = '';
}

async function run(): Promise<void> {
  if (running !== undefined) return;
  const text = prompt.value;
  clearPanel();
  if (text.trim() === '') {
    showStatus('idle', 'Type a prompt first.');
    prompt.focus();
    return;
  }
  const current: { controller: AbortController; requestId?: string } = { controller: new AbortController() };
  running = current;
  setRunning(true);
  showStatus('pending', 'Submitting…');
  try {
    const accepted = await client.submit({ prompt: text, task: task.value as TaskName }, { signal: current.controller.signal });
    current.requestId = accepted.request_id;
    requestIdLine.textContent = `Request ${accepted.request_id}`;
    requestIdLine.hidden = false;
    showStatus(accepted.status, 'Accepted; waiting for a worker…');
    const view = await client.wait(accepted, { signal: current.controller.signal, onProgress: showView });
    progress.value = 100;
    showStatus('complete', 'Done.');
    renderResult(view.result);
  } catch (error) {
    if (current.controller.signal.aborted) {
      showStatus('error', 'Cancelled.');
    } else {
      const { message, code } = explain(error);
      showStatus('error', message);
      showError(message, code);
    }
  } finally {
    running = undefined;
    setRunning(false);
  }
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
    showStatus(view.status, `Cancelled: ${view.error ?? 'the request was cancelled'}`);
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

setRunning(false);
showStatus('idle', 'Ready. Type a prompt and press Submit (Ctrl/⌘+Enter).');
