import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { spawnSync } from 'node:child_process';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Stack } from '../../src/local/stack.js';
import { startTestStack } from '../support/stack.js';

const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-quic', '--no-first-run', '--disable-component-update', '--disable-sync'];
const PROMPT =
  'Serverless functions scale to zero and cost nothing while idle. Long work does not fit in one HTTP call, so the API answers at once. ' +
  'A worker runs the job in the background and records progress. The client polls until the job is complete.';

const hasChromium = existsSync(CHROMIUM);
if (!hasChromium) console.warn(`test/web/demo.test.ts: SKIPPED, ${CHROMIUM} is missing (apt-get install -y chromium)`);

describe.skipIf(!hasChromium)('demo page in headless Chromium', () => {
  let stack: Stack;
  let browser: Browser;
  beforeAll(async () => {
    if (!existsSync('dist/web/app.js')) spawnSync(process.execPath, ['build.mjs'], { stdio: 'inherit' });
    stack = await startTestStack({ webDir: 'dist/web', env: { DEMO_TASK_MS: '1500', PROGRESS_INTERVAL_MS: '50' } });
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

    await page.getByLabel('Prompt').fill(PROMPT);
    await page.getByLabel('Task').selectOption('assess');
    await page.getByLabel('Prompt').press('Control+Enter');

    await expect.poll(() => page.isEnabled('#cancel')).toBe(true);
    const values: number[] = [];
    await expect
      .poll(
        async () => {
          values.push(await page.$eval('#progress', (bar) => (bar as HTMLProgressElement).value));
          return page.textContent('#status-label');
        },
        { timeout: 15_000, interval: 100 },
      )
      .toBe('complete');
    const rising = values.filter((value, index) => index === 0 || value !== values[index - 1]);
    expect(rising.length).toBeGreaterThanOrEqual(3);
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
});
