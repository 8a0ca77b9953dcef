import { existsSync } from 'node:fs';
import { mkdir, stat } from 'node:fs/promises';
import { spawnSync } from 'node:child_process';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatBytes } from '../../src/client/format.js';
import type { Stack } from '../../src/local/stack.js';
import { ensureBuilt, startTestStack } from '../support/stack.js';

const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-quic', '--no-first-run', '--disable-component-update', '--disable-sync'];
const PROMPT =
  'Serverless functions scale to zero and cost nothing while idle. Long work does not fit in one HTTP call, so the API answers at once. ' +
  'A worker runs the job in the background and records progress. The client polls until the job is complete.';

/** Opens the demo page of `url` and submits PROMPT as `task` with the Submit button. */
async function submitOnPage(page: Page, url: string, task: string): Promise<void> {
  await page.goto(`${url}/`);
  await page.getByLabel('Prompt').fill(PROMPT);
  await page.getByLabel('Task').selectOption(task);
  await page.getByRole('button', { name: /Submit/ }).click();
}

const hasChromium = existsSync(CHROMIUM);
if (!hasChromium) console.warn(`test/web/demo.test.ts: SKIPPED, ${CHROMIUM} is missing (apt-get install -y chromium)`);

describe.skipIf(!hasChromium)('demo page in headless Chromium', () => {
  let stack: Stack;
  let browser: Browser;
  beforeAll(async () => {
    if (!existsSync('dist/web/app.js')) spawnSync(process.execPath, ['build.mjs'], { stdio: 'inherit' });
    ensureBuilt();
    // The built bundle in sandboxes, as `npm start` runs it: its lease thread writes the progress the page shows.
    stack = await startTestStack({ runtime: 'sandbox', webDir: 'dist/web', env: { DEMO_TASK_MS: '1500', PROGRESS_INTERVAL_MS: '50', DEMO_REPORT_MB: '1' } });
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  });
  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
  });

  it('submits with Ctrl+Enter, shows rising progress, then the assessment', async () => {
    const page = await browser.newPage({ viewport: { width: 900, height: 1100 } });
    const problems: string[] = [];
    page.on('console', (message) => {
      if (message.type() === 'error') problems.push(message.text());
    });
    page.on('pageerror', (error) => problems.push(error.message));
    await page.goto(`${stack.url}/`);
    await expect.poll(() => page.textContent('#status-message')).toContain('Ready');
    // Every value the bar takes, as it is set: no sampling that a loaded machine could miss.
    await page.evaluate(() => {
      const bar = document.getElementById('progress') as HTMLProgressElement;
      const values: number[] = [];
      (window as unknown as { progressValues: number[] }).progressValues = values;
      new MutationObserver(() => values.push(bar.value)).observe(bar, { attributes: true, attributeFilter: ['value'] });
    });

    await page.getByLabel('Prompt').fill(PROMPT);
    await page.getByLabel('Task').selectOption('assess');
    await page.getByLabel('Prompt').press('Control+Enter');

    await expect.poll(() => page.isEnabled('#cancel')).toBe(true);
    await expect.poll(() => page.textContent('#status-label'), { timeout: 15_000 }).toBe('complete');
    const values = await page.evaluate(() => (window as unknown as { progressValues: number[] }).progressValues);
    const rising = values.filter((value, index) => index === 0 || value !== values[index - 1]);
    expect(rising.length, JSON.stringify(values)).toBeGreaterThanOrEqual(3);
    expect(rising).toEqual([...rising].sort((a, b) => a - b));
    expect(await page.$eval('#progress', (bar) => (bar as HTMLProgressElement).value)).toBe(100);

    await expect.poll(() => page.isVisible('#result')).toBe(true);
    const result = await page.textContent('#result');
    expect(result).toContain('Words');
    expect(result).toMatch(/Keywords/);
    expect(await page.locator('.chip').count()).toBeGreaterThan(0);
    expect(await page.isDisabled('#cancel')).toBe(true);
    expect(await page.isEnabled('#submit')).toBe(true);
    expect(problems).toEqual([]);

    await mkdir('test-results', { recursive: true });
    await page.screenshot({ path: 'test-results/demo.png', fullPage: true });
  });

  it('the bar keeps pace with its label: its fill takes each value at once, not animated after it', async () => {
    const page = await browser.newPage();
    await page.goto(`${stack.url}/`);

    // Chromium computes no style for the fill's pseudo-element, so the page's own rules are read.
    const animated = await page.evaluate(() =>
      Array.from(document.styleSheets)
        .flatMap((sheet) => Array.from(sheet.cssRules))
        .filter((rule): rule is CSSStyleRule => rule instanceof CSSStyleRule && rule.selectorText.includes('progress'))
        .filter((rule) => rule.style.transitionProperty !== '' && rule.style.transitionDuration !== '0s')
        .map((rule) => `${rule.selectorText} { transition: ${rule.style.transition} }`),
    );
    expect(animated).toEqual([]);
  });

  it('cancels a running request and shows it plainly', async () => {
    const page = await browser.newPage();
    await page.goto(`${stack.url}/`);
    await page.getByLabel('Prompt').fill(PROMPT);
    await page.getByRole('button', { name: /Submit/ }).click();
    await expect.poll(() => page.isEnabled('#cancel')).toBe(true);
    await expect.poll(() => page.textContent('#request-id')).toMatch(/Request [0-9a-f-]{36}/);

    await page.getByRole('button', { name: 'Cancel' }).click();

    await expect.poll(() => page.textContent('#status-message')).toContain('Cancelled');
    expect(await page.isEnabled('#submit')).toBe(true);
    // The user asked for it: a neutral "cancelled" badge, not a red "error".
    expect(await page.textContent('#status-label')).toBe('cancelled');
    const colours = await page.evaluate(() => ({
      badge: getComputedStyle(document.getElementById('status-label')!).color,
      muted: getComputedStyle(document.querySelector('footer.muted')!).color,
    }));
    expect(colours.badge).toBe(colours.muted);
    expect(await page.isVisible('#error')).toBe(false);
  });

  it('an empty or blank prompt clears the previous request: progress, status, id, result and error', async () => {
    const page = await browser.newPage();
    await page.goto(`${stack.url}/`);
    await page.getByLabel('Prompt').fill(PROMPT);
    await page.getByRole('button', { name: /Submit/ }).click();
    await expect.poll(() => page.textContent('#status-label'), { timeout: 15_000 }).toBe('complete');
    expect(await page.$eval('#progress', (bar) => (bar as HTMLProgressElement).value)).toBe(100);
    expect(await page.isVisible('#request-id')).toBe(true);
    expect(await page.isVisible('#result')).toBe(true);

    for (const blank of ['', '   \n\t ']) {
      await page.getByLabel('Prompt').fill(blank);
      await page.getByLabel('Prompt').press('Control+Enter');

      await expect.poll(() => page.textContent('#status-message')).toBe('Type a prompt first.');
      expect(await page.textContent('#status-label')).toBe('idle');
      expect(await page.$eval('#progress', (bar) => (bar as HTMLProgressElement).value)).toBe(0);
      expect(await page.isVisible('#request-id')).toBe(false);
      expect(await page.textContent('#request-id')).toBe('');
      expect(await page.isVisible('#result')).toBe(false);
      expect(await page.isVisible('#error')).toBe(false);
      expect(await page.isEnabled('#submit')).toBe(true);
    }

    // After a failed one too: the error box goes.
    await page.$eval('#prompt', (area) => ((area as HTMLTextAreaElement).value = 'x'.repeat(100_001)));
    await page.getByRole('button', { name: /Submit/ }).click();
    await expect.poll(() => page.isVisible('#error')).toBe(true);
    await page.getByLabel('Prompt').fill(' ');
    await page.getByRole('button', { name: /Submit/ }).click();
    await expect.poll(() => page.isVisible('#error')).toBe(false);
    expect(await page.textContent('#status-label')).toBe('idle');
  });

  it('shows an API error sentence and code', async () => {
    const page = await browser.newPage();
    await page.goto(`${stack.url}/`);
    await page.getByLabel('Prompt').fill('x'.repeat(100_001));
    // maxlength stops typing, not scripts; the API is what refuses.
    await page.$eval('#prompt', (area) => ((area as HTMLTextAreaElement).value = 'x'.repeat(100_001)));
    await page.getByRole('button', { name: /Submit/ }).click();

    await expect.poll(() => page.isVisible('#error')).toBe(true);
    expect(await page.textContent('#error-message')).toContain('prompt: must be at most 100000 characters');
    expect(await page.textContent('#error-code')).toBe('invalid_request');
  });

  it('the report task: its summary and keywords, and a download link to report.html that the page can fetch whole', async () => {
    const page = await browser.newPage({ viewport: { width: 900, height: 1100 } });
    const problems: string[] = [];
    page.on('console', (message) => {
      if (message.type() === 'error') problems.push(message.text());
    });
    page.on('pageerror', (error) => problems.push(error.message));
    await submitOnPage(page, stack.url, 'report');

    await expect.poll(() => page.textContent('#status-label'), { timeout: 20_000 }).toBe('complete');
    await expect.poll(() => page.isVisible('#downloads')).toBe(true);
    const link = page.locator('#download-list a.download');
    expect(await link.count()).toBe(1);
    expect(await link.textContent()).toBe('report.html');
    expect(await link.getAttribute('download')).toBe('report.html');
    const size = Number(await link.getAttribute('data-size'));
    const shownSize = await page.locator('#download-list li .size').textContent();
    const href = (await link.getAttribute('href'))!;
    expect(size).toBeGreaterThanOrEqual(1024 * 1024);
    expect(shownSize).toBe(formatBytes(size));
    expect(href.startsWith(`${stack.s3.endpoint}/`)).toBe(true);

    // The link works from the page: a cross-origin GET the bucket's CORS allows, with no API key.
    const fetched = await page.evaluate(async (url) => {
      const response = await fetch(url);
      const bytes = new Uint8Array(await response.arrayBuffer());
      return { status: response.status, type: response.headers.get('Content-Type'), length: bytes.byteLength, head: new TextDecoder().decode(bytes.subarray(0, 300)) };
    }, href);
    expect(fetched).toMatchObject({ status: 200, type: 'text/html; charset=utf-8', length: size });
    expect(formatBytes(fetched.length)).toBe(shownSize);
    expect(fetched.head).toContain('<h1>Assessment report</h1>');

    // A click saves report.html, whole, rather than opening a 1 MB page in a tab.
    const popups: string[] = [];
    page.context().on('page', (opened) => popups.push(opened.url()));
    const [download] = await Promise.all([page.waitForEvent('download', { timeout: 15_000 }), link.click()]);
    expect(download.suggestedFilename()).toBe('report.html');
    expect((await stat((await download.path())!)).size).toBe(size);
    expect(popups).toEqual([]);

    const result = (await page.textContent('#result-body'))!;
    expect(result).toContain('Report size');
    expect(result).toContain('Summary');
    expect(await page.locator('#result-body .chip').count()).toBeGreaterThan(0);
    expect(await page.locator('#result-body pre').count()).toBe(0);
    expect(problems).toEqual([]);
    await page.screenshot({ path: 'test-results/demo-report.png', fullPage: true });
  });

  it('at 390 px, every tile and file row holds its text (scrollWidth within clientWidth)', async () => {
    const page = await browser.newPage({ viewport: { width: 390, height: 844 } });
    await submitOnPage(page, stack.url, 'report');
    await expect.poll(() => page.textContent('#status-label'), { timeout: 20_000 }).toBe('complete');
    await expect.poll(() => page.isVisible('#downloads')).toBe(true);

    const overflowing = await page.$$eval('.stat, .stat dd, #download-list li, #download-list a, main', (nodes) =>
      nodes.filter((node) => node.scrollWidth > node.clientWidth).map((node) => `${node.tagName}.${node.className}: ${node.textContent} (${node.scrollWidth} > ${node.clientWidth})`),
    );
    await mkdir('test-results', { recursive: true });
    await page.screenshot({ path: 'test-results/demo-390.png', fullPage: true });
    expect(overflowing).toEqual([]);
  });

  it('the pipeline task: the step under the bar while it runs, then its outline, keywords and summary', async () => {
    const page = await browser.newPage({ viewport: { width: 900, height: 1100 } });
    const problems: string[] = [];
    page.on('pageerror', (error) => problems.push(error.message));
    await submitOnPage(page, stack.url, 'pipeline');

    const messages = new Set<string>();
    await expect
      .poll(
        async () => {
          messages.add((await page.textContent('#status-message')) ?? '');
          return page.textContent('#status-label');
        },
        { timeout: 20_000, interval: 50 },
      )
      .toBe('complete');
    const steps = [...messages].map((message) => /\(step (\d)\/5 (\w+)\)$/.exec(message)).filter((match) => match !== null);
    expect(steps.length).toBeGreaterThanOrEqual(2);
    expect(steps.map((match) => match[2])).toContain('keywords');

    await expect.poll(() => page.isVisible('#result')).toBe(true);
    expect(await page.locator('#result-body ol.outline li').count()).toBeGreaterThan(0);
    expect(await page.locator('#result-body .chip').count()).toBeGreaterThan(0);
    expect(await page.textContent('#result-body')).toContain('Summary');
    expect(await page.locator('#result-body pre').count()).toBe(0);
    expect(problems).toEqual([]);
  });

  it('a result the API only links (result_url) is shown, with a link to its JSON', async () => {
    const spilling = await startTestStack({ webDir: 'dist/web', env: { DEMO_TASK_MS: '300', PROGRESS_INTERVAL_MS: '50', INLINE_RESULT_MAX_BYTES: '0' } });
    try {
      const page = await browser.newPage();
      await submitOnPage(page, spilling.url, 'assess');

      await expect.poll(() => page.textContent('#status-label'), { timeout: 15_000 }).toBe('complete');
      await expect.poll(() => page.isVisible('#downloads')).toBe(true);
      const link = page.locator('#download-list a[data-kind="result"]');
      expect(await link.textContent()).toBe('Full result (JSON)');
      const size = Number(await link.getAttribute('data-size'));
      const fetched = await page.evaluate(async (url) => {
        const response = await fetch(url);
        return { status: response.status, length: (await response.arrayBuffer()).byteLength };
      }, (await link.getAttribute('href'))!);
      expect(fetched).toEqual({ status: 200, length: size });
      expect(await page.textContent('#result-body')).toContain('Words');
      expect(await page.locator('#result-body .chip').count()).toBeGreaterThan(0);
    } finally {
      await spilling.stop();
    }
  });

  it('signs its links again before they expire (RESULT_URL_SECONDS=3), by reading the request', async () => {
    const shortLived = await startTestStack({ webDir: 'dist/web', env: { DEMO_TASK_MS: '300', PROGRESS_INTERVAL_MS: '50', RESULT_URL_SECONDS: '3' } });
    try {
      const page = await browser.newPage();
      await submitOnPage(page, shortLived.url, 'report');
      await expect.poll(() => page.textContent('#status-label'), { timeout: 15_000 }).toBe('complete');
      const link = page.locator('#download-list a[data-name="report.html"]');
      const first = (await link.getAttribute('href'))!;

      await expect.poll(() => link.getAttribute('href'), { timeout: 6000, interval: 100 }).not.toBe(first);
      const status = await page.evaluate(async (url) => (await fetch(url)).status, (await link.getAttribute('href'))!);
      expect(status).toBe(200);
      expect(new URL(first).searchParams.get('X-Amz-Expires')).toBe('3');
    } finally {
      await shortLived.stop();
    }
  });
});
