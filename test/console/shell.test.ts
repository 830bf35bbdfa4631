// The console's shell in a real browser: sign-in (a bad key, then the operator key; a user key sees no admin
// pages), the theme toggle and its memory, the phone-width menu, sign-out, and an unreachable server in words.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { PHONE, startConsole, type ConsoleHarness } from './browser.js';

let c: ConsoleHarness;
before(async () => {
  c = await startConsole();
});
after(async () => {
  await c?.close();
});

const navLinks = (page: import('playwright-core').Page) =>
  page.getByRole('navigation', { name: 'Main' }).getByRole('link').allTextContents();

test('a bad key is refused in words; the operator key signs in and sees every page', async () => {
  const page = await c.page();
  await page.goto(c.base + '/');
  await c.shot(page, 'sign-in');
  const field = page.getByLabel('API key');
  assert.equal(await field.getAttribute('type'), 'password');
  await field.fill('lr_live_not-a-real-key-000000000000');
  await field.press('Enter');
  await page.getByRole('alert').filter({ hasText: 'That key was not accepted' }).waitFor();
  assert.equal(await page.evaluate(() => sessionStorage.length), 0, 'a refused key is not kept');

  await c.signIn(page);
  assert.deepEqual(await navLinks(page), ['Models', 'Playground', 'Activity', 'Keys', 'Accounts']);
  assert.match(page.url(), /#\/models$/, 'lands on the models page');
  assert.ok(!page.url().includes(c.gw.adminKey), 'the key is never in the URL');
  assert.equal(await page.evaluate(() => sessionStorage.getItem('arouter.console.key')), c.gw.adminKey);
  await page.getByRole('heading', { name: 'Models' }).waitFor();
  await c.shot(page, 'models-desktop');

  // a reload keeps the tab's session
  await page.reload();
  await page.getByRole('button', { name: 'Sign out' }).waitFor();
  await page.context().close();
});

test('a user key sees no Keys or Accounts page', async () => {
  const res = await c.gw.fetch('/keys', { method: 'POST', json: { name: 'console user' } });
  assert.equal(res.status, 201);
  const { key } = (await res.json()) as { key: string };
  const page = await c.page();
  await c.signIn(page, key);
  assert.deepEqual(await navLinks(page), ['Models', 'Playground', 'Activity']);
  await page.goto(c.base + '/#/keys');
  await page.getByRole('alert').filter({ hasText: 'This page needs an admin key' }).waitFor();
  await page.context().close();
});

test('the theme follows the system, toggles, and the choice is remembered', async () => {
  const page = await c.page(undefined, { colorScheme: 'dark' });
  await c.signIn(page);
  const theme = () => page.evaluate(() => document.documentElement.dataset.theme);
  assert.equal(await theme(), 'dark', 'the system prefers dark');
  await c.shot(page, 'models-dark');
  await page.getByRole('button', { name: 'Switch to light theme' }).click();
  assert.equal(await theme(), 'light');
  await page.reload();
  await page.getByRole('button', { name: 'Switch to dark theme' }).waitFor();
  assert.equal(await theme(), 'light', 'remembered over the system preference');
  await page.context().close();
});

test('at phone width the nav collapses behind a labelled Menu button', async () => {
  const page = await c.page(PHONE);
  await c.signIn(page);
  const nav = page.getByRole('navigation', { name: 'Main' });
  assert.equal(await nav.isVisible(), false);
  const menu = page.getByRole('button', { name: 'Menu' });
  assert.equal(await menu.getAttribute('aria-expanded'), 'false');
  await c.shot(page, 'models-phone');
  await menu.click();
  assert.equal(await nav.isVisible(), true);
  assert.equal(await menu.getAttribute('aria-expanded'), 'true');
  await c.shot(page, 'menu-phone');
  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(width <= PHONE.width, `no sideways scroll at ${PHONE.width} px (page is ${width} px wide)`);
  // keyboard: the links are reachable and following one closes the menu
  await nav.getByRole('link', { name: 'Activity' }).focus();
  await page.keyboard.press('Enter');
  await page.getByRole('heading', { name: 'Activity' }).waitFor();
  assert.equal(await nav.isVisible(), false);
  await page.context().close();
});

test('sign-out forgets the key and returns to the sign-in form', async () => {
  const page = await c.page();
  await c.signIn(page);
  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.getByLabel('API key').waitFor();
  assert.equal(await page.evaluate(() => sessionStorage.getItem('arouter.console.key')), null);
  await page.reload();
  await page.getByLabel('API key').waitFor();
  await page.context().close();
});

test('a revoked key is signed out with the reason', async () => {
  const res = await c.gw.fetch('/keys', { method: 'POST', json: { name: 'soon revoked' } });
  const { key, data } = (await res.json()) as { key: string; data: { id: string } };
  const page = await c.page();
  await c.signIn(page, key);
  assert.equal((await c.gw.fetch(`/keys/${data.id}`, { method: 'DELETE' })).status, 200);
  // the console's part starts when the API refuses the key: wait for that (a CI run on Node 24 once saw the key
  // still accepted right after the DELETE: a directory refresh read before the revoke can re-cache the old row until
  // the next poll, 250 ms later — noted on issue 17), bounded to 5 s
  for (let i = 0; (await c.gw.fetch('/key', { key })).status !== 401; i++) {
    assert.ok(i < 50, 'the revoked key is refused by the API within 5 s');
    await new Promise((r) => setTimeout(r, 100));
  }
  await page.reload();
  await page.getByText('That key was not accepted').waitFor();
  await page.getByLabel('API key').waitFor();
  await page.context().close();
});

const errorBody = (status: number, message: string, code: string) =>
  JSON.stringify({ error: { code: status, message, type: 'error', param: null, metadata: { code } } });

test('an unreachable server, 429 and 402 are said in words', async () => {
  const page = await c.page();
  await page.goto(c.base + '/');
  await page.route(/\/v1\/key$/, (r) => r.abort('connectionrefused'));
  await page.getByLabel('API key').fill(c.gw.adminKey);
  await page.getByLabel('API key').press('Enter');
  await page.getByRole('alert').filter({ hasText: 'Cannot reach the ARouter server' }).waitFor();
  await page.unroute(/\/v1\/key$/);
  await c.signIn(page);

  const models = /\/v1\/models\?output_modalities=all$/;
  await page.route(models, (r) =>
    r.fulfill({
      status: 429,
      headers: { 'content-type': 'application/json', 'retry-after': '7' },
      body: errorBody(429, 'Rate limit exceeded: 20 requests per minute', 'rate_limited'),
    }),
  );
  await page.reload();
  await page
    .getByRole('alert')
    .filter({ hasText: 'Too many requests: Rate limit exceeded: 20 requests per minute. Try again in 7 s.' })
    .waitFor();
  await c.shot(page, 'error-429');
  await page.unroute(models);
  await page.route(models, (r) =>
    r.fulfill({
      status: 402,
      headers: { 'content-type': 'application/json' },
      body: errorBody(402, 'Insufficient credits', 'insufficient_credits'),
    }),
  );
  await page.getByRole('button', { name: 'Try again' }).click();
  await page
    .getByRole('alert')
    .filter({ hasText: "Not enough credits, or the key's spending limit is reached" })
    .waitFor();
  await page.unroute(models);
  await page.getByRole('button', { name: 'Try again' }).click();
  await page.locator('.models-table tbody tr').first().waitFor();
  await page.context().close();
});
