import { existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Stack } from '../../src/local/stack.js';
import { startJwtStack, type JwtStack } from '../support/jwt-stack.js';
import { startTestStack } from '../support/stack.js';

const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-quic', '--no-first-run', '--disable-component-update', '--disable-sync'];
const PROMPT = 'Each user of the page sees their own requests. A reload keeps them. Nobody sees anyone else.';
/** Page assertions wait this long for the stack under a loaded CI machine. */
const PAGE_TIMEOUT_MS = 20_000;
const PASTE_AUDIENCE = 'async-router-paste-test';

/** The request ids "Your requests" shows, top to bottom. */
function listedIds(page: Page): Promise<string[]> {
  return page.$$eval('#my-requests-list tr', (rows) => rows.map((row) => (row as HTMLElement).dataset.requestId ?? ''));
}

/** Submits PROMPT, waits for it to complete, and answers its id as the page shows it. */
async function submitAndFinish(page: Page): Promise<string> {
  await page.getByLabel('Prompt').fill(PROMPT);
  await page.getByRole('button', { name: /Submit/ }).click();
  await expect.poll(() => page.textContent('#status-label'), { timeout: PAGE_TIMEOUT_MS }).toBe('complete');
  return ((await page.textContent('#request-id')) ?? '').replace(/^Request /, '');
}

const hasChromium = existsSync(CHROMIUM);
if (!hasChromium) console.warn(`test/web/sign-in.test.ts: SKIPPED, ${CHROMIUM} is missing (apt-get install -y chromium)`);

describe.skipIf(!hasChromium)('demo page with two signed-in users (AUTH=jwt) in headless Chromium', () => {
  let stack: Stack;
  let browser: Browser;
  const pageErrors: string[] = [];
  beforeAll(async () => {
    if (!existsSync('dist/web/app.js')) spawnSync(process.execPath, ['build.mjs'], { stdio: 'inherit' });
    // As `AUTH=jwt npm start` runs it: the local issuer, its dev token endpoint, and /config.json naming both.
    stack = await startTestStack({ webDir: 'dist/web', localIssuer: { port: 0 }, env: { DEMO_TASK_MS: '300' } });
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  });
  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
  });

  async function openTab(): Promise<Page> {
    // A context each: two tabs of two people, nothing shared between them.
    const page = await (await browser.newContext()).newPage();
    page.on('pageerror', (error) => pageErrors.push(error.message));
    await page.goto(`${stack.url}/`);
    await expect.poll(() => page.isVisible('#sign-in'), { timeout: PAGE_TIMEOUT_MS }).toBe(true);
    return page;
  }

  it('each user lists only their own requests; switching users switches lists; a reload keeps the user and the list', async () => {
    const alicePage = await openTab();
    const bobPage = await openTab();

    await alicePage.getByRole('button', { name: 'Alice' }).click();
    await expect.poll(() => alicePage.textContent('#signed-in-as')).toContain('alice');
    const aliceId = await submitAndFinish(alicePage);
    await bobPage.getByLabel('User name').fill('bob');
    await bobPage.getByRole('button', { name: 'Sign in' }).click();
    await expect.poll(() => bobPage.textContent('#signed-in-as')).toContain('bob');
    const bobId = await submitAndFinish(bobPage);

    await expect.poll(() => listedIds(alicePage), { timeout: PAGE_TIMEOUT_MS }).toEqual([aliceId]);
    await expect.poll(() => listedIds(bobPage), { timeout: PAGE_TIMEOUT_MS }).toEqual([bobId]);
    expect(await alicePage.textContent(`#my-requests-list tr[data-request-id="${aliceId}"]`)).toMatch(/complete\s*assess/);

    await alicePage.reload();
    await expect.poll(() => alicePage.textContent('#signed-in-as'), { timeout: PAGE_TIMEOUT_MS }).toContain('alice');
    await expect.poll(() => listedIds(alicePage), { timeout: PAGE_TIMEOUT_MS }).toEqual([aliceId]);

    await alicePage.getByRole('button', { name: 'Bob' }).click();
    await expect.poll(() => alicePage.textContent('#signed-in-as')).toContain('bob');
    await expect.poll(() => listedIds(alicePage), { timeout: PAGE_TIMEOUT_MS }).toEqual([bobId]);
    expect(await alicePage.isVisible('#result')).toBe(false);
    expect(pageErrors).toEqual([]);
  });

  it("Show opens a listed request's result, and the link survives a reload", async () => {
    const page = await openTab();
    await page.getByLabel('User name').fill('carol');
    await page.getByRole('button', { name: 'Sign in' }).click();
    const id = await submitAndFinish(page);
    await page.reload();
    await expect.poll(() => listedIds(page), { timeout: PAGE_TIMEOUT_MS }).toEqual([id]);
    expect(await page.isVisible('#result')).toBe(false);

    await page.locator(`#my-requests-list tr[data-request-id="${id}"] a`).click();

    await expect.poll(() => page.isVisible('#result'), { timeout: PAGE_TIMEOUT_MS }).toBe(true);
    expect(await page.textContent('#result')).toContain('Words');
    expect(page.url()).toBe(`${stack.url}/#request=${id}`);
    await page.reload();
    await expect.poll(() => page.isVisible('#result'), { timeout: PAGE_TIMEOUT_MS }).toBe(true);
    expect(await page.textContent('#request-id')).toBe(`Request ${id}`);
    expect(pageErrors).toEqual([]);
  });

  it('a token the API refuses signs the tab out and asks to sign in again', async () => {
    const page = await openTab();
    const foreign = await stack.issuer!.sign({ sub: 'dave', aud: 'another-deployment' });
    await page.evaluate((token) => sessionStorage.setItem('async-router.signed-in', JSON.stringify({ sub: 'dave', token, expiresAt: undefined })), foreign);

    await page.reload();

    await expect.poll(() => page.textContent('#my-requests-note'), { timeout: PAGE_TIMEOUT_MS }).toMatch(/sign in again/);
    await expect.poll(() => page.textContent('#signed-in-as')).toMatch(/sign in again/i);
    expect(await page.isVisible('#sign-out')).toBe(false);
    expect(pageErrors).toEqual([]);
  });
});

describe.skipIf(!hasChromium)('demo page against an issuer with no dev endpoint (a deployed one): paste a token', () => {
  let jwt: JwtStack;
  let browser: Browser;
  beforeAll(async () => {
    if (!existsSync('dist/web/app.js')) spawnSync(process.execPath, ['build.mjs'], { stdio: 'inherit' });
    jwt = await startJwtStack(PASTE_AUDIENCE, { webDir: 'dist/web', env: { DEMO_TASK_MS: '300' } });
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  });
  afterAll(async () => {
    await browser?.close();
    await jwt?.stop();
  });

  it('offers a token field instead of the user switch; a pasted token signs the tab in as its subject', async () => {
    const page = await browser.newPage();
    await page.goto(`${jwt.stack.url}/`);
    await expect.poll(() => page.isVisible('#paste-form'), { timeout: PAGE_TIMEOUT_MS }).toBe(true);
    expect(await page.isVisible('#user-form')).toBe(false);

    await page.getByLabel('Token from your issuer').fill(await jwt.tokenFor('grace'));
    await page.getByRole('button', { name: 'Use this token' }).click();
    await expect.poll(() => page.textContent('#signed-in-as')).toContain('grace');
    const id = await submitAndFinish(page);

    await expect.poll(() => listedIds(page), { timeout: PAGE_TIMEOUT_MS }).toEqual([id]);
  });
});
