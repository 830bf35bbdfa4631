// The console's Keys page in a real browser against a demo gateway: create a key (the API's 400 shown beside the
// field it names), its secret shown once and copied, listed with its limit, reset period, rate limits and expiry,
// disabled, enabled and revoked (a modal confirmation worked by keyboard); the list a page at a time; an account
// admin sees its own account's keys; a user key has no Keys page.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { PHONE, startConsole, type ConsoleHarness } from './browser.js';

let c: ConsoleHarness;
before(async () => {
  c = await startConsole();
});
after(async () => {
  await c?.close();
});

const row = (page: Page, name: string) => page.locator('.keys-table tbody tr', { hasText: name });
const cells = (page: Page, name: string) => row(page, name).locator('td').allTextContents();

/** `datetime-local` text of now + days, in the browser's (= this process's) time zone */
function localIn(days: number): { local: string; date: Date } {
  const d = new Date(Date.now() + days * 86_400_000);
  d.setSeconds(0, 0);
  const p = (n: number) => String(n).padStart(2, '0');
  return {
    local: `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}`,
    date: d,
  };
}

async function apiJson(path: string, init: Parameters<ConsoleHarness['gw']['fetch']>[1] = {}): Promise<any> {
  const res = await c.gw.fetch(path, init);
  assert.ok(res.ok, `${path}: HTTP ${res.status}`);
  return res.json();
}

test('create a key: errors beside their fields, the secret once with copy, listed, disabled, enabled, revoked', async () => {
  const page = await c.page(undefined, { clipboard: true });
  await c.signIn(page);
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Keys' }).click();
  await page.getByRole('heading', { name: 'Keys', exact: true }).waitFor();
  await page.getByRole('button', { name: 'Create a key' }).click();
  const form = page.locator('form', { has: page.getByRole('heading', { name: 'Create a key' }) });
  const name = form.getByLabel('Name', { exact: true });

  // the API's 400, beside the field it names: an empty name, then a rate limit that is not a whole number
  await form.getByRole('button', { name: 'Create key' }).click();
  await name.and(page.locator('[aria-invalid="true"]')).waitFor();
  const nameError = await page.locator(`#${await name.getAttribute('id')}-error`).textContent();
  assert.match(nameError!, /name/i);
  assert.ok(await name.evaluate((el) => el === document.activeElement), 'the refused field has the focus');
  await name.fill('console created');
  // a rate limit that is not a whole number: said before asking the API (which would name only the pair)
  const rpm = form.getByLabel('Requests per minute');
  await rpm.fill('1.5');
  await form.getByRole('button', { name: 'Create key' }).click();
  await rpm.and(page.locator('[aria-invalid="true"]')).waitFor();
  assert.match((await page.locator(`#${await rpm.getAttribute('id')}-error`).textContent())!, /whole number/);
  assert.equal(await name.getAttribute('aria-invalid'), null, 'the name is no longer marked');
  await rpm.fill('60');
  // more decimals than the API keeps: its 400, beside the limit
  const limit = form.getByLabel('Spending limit (USD)');
  await limit.fill('1.1234567890123');
  await form.getByRole('button', { name: 'Create key' }).click();
  await limit.and(page.locator('[aria-invalid="true"]')).waitFor();
  assert.match((await page.locator(`#${await limit.getAttribute('id')}-error`).textContent())!, /^Invalid limit/);
  assert.equal(await rpm.getAttribute('aria-invalid'), null);
  await c.shot(page, 'keys-form-error');

  await form.getByLabel('Tokens per minute').fill('100000');
  await limit.fill('10');
  await form.getByLabel('Limit resets').selectOption('monthly');
  const expiry = localIn(30);
  await form.getByLabel('Expires').fill(expiry.local);
  await form.getByRole('button', { name: 'Create key' }).click();

  // the secret, once, with its warning and a copy button
  const panel = page.getByRole('region', { name: 'Key “console created” created' });
  await panel.waitFor();
  await panel.getByText('you will not see it again').waitFor();
  const secret = (await panel.getByLabel('The new key').textContent())!;
  assert.match(secret, /^lr_live_/);
  await panel.getByRole('button', { name: 'Copy key' }).click();
  await panel.getByRole('button', { name: 'Copied', exact: true }).waitFor();
  assert.equal(await page.evaluate(() => navigator.clipboard.readText()), secret);
  await c.shot(page, 'keys-secret');
  const made = await apiJson('/key', { key: secret });
  assert.equal(made.data.name, 'console created');
  assert.equal(made.data.limit, 10);
  assert.equal(made.data.limit_reset, 'monthly');
  assert.equal(made.data.rate_limit.requests_per_minute, 60);
  assert.equal(made.data.rate_limit.tokens_per_minute, 100000);
  assert.equal(Date.parse(made.data.expires_at), expiry.date.getTime(), 'the local time sent as an instant');

  // listed, with its usage against its limit, reset period, rate limits, expiry and state
  const listed = await cells(page, 'console created');
  assert.equal(listed.length, 8, listed.join(' | '));
  assert.match(listed[0], /console created/);
  assert.ok(listed[0].includes(made.data.label), 'the label (prefix) shown');
  assert.equal(listed[2], '$0 of $10.00 this month');
  assert.match(listed[3], /^Monthly/);
  assert.equal(listed[4], '60 req/min · 100,000 tok/min');
  assert.equal(listed[5], expiry.local.replace('T', ' '));
  assert.equal(listed[6], 'active');
  await row(page, 'console created').locator('.usage-track').waitFor();

  await panel.getByRole('button', { name: 'I have copied it' }).click();
  await panel.waitFor({ state: 'detached' });
  assert.ok(!(await page.content()).includes(secret), 'the secret is gone from the page');
  await c.shot(page, 'keys-list');

  // disable: the key stops working; enable: it works again
  await page.getByRole('button', { name: 'Disable key console created' }).click();
  await page.getByRole('status').filter({ hasText: 'Key “console created” disabled.' }).waitFor();
  assert.equal((await cells(page, 'console created'))[6], 'disabled');
  assert.notEqual((await c.gw.fetch('/key', { key: secret })).status, 200);
  await page.getByRole('button', { name: 'Enable key console created' }).click();
  await page.getByRole('status').filter({ hasText: 'enabled' }).waitFor();
  assert.equal((await cells(page, 'console created'))[6], 'active');
  assert.equal((await c.gw.fetch('/key', { key: secret })).status, 200);

  // revoke: a modal dialog; Escape cancels, and it is worked by keyboard alone
  const revoke = page.getByRole('button', { name: 'Revoke key console created' });
  await revoke.click();
  const dialog = page.getByRole('dialog', { name: 'Revoke key “console created”?' });
  await dialog.waitFor();
  assert.ok(await dialog.getByRole('button', { name: 'Cancel' }).evaluate((el) => el === document.activeElement));
  await c.shot(page, 'keys-revoke-dialog');
  await page.keyboard.press('Escape');
  await dialog.waitFor({ state: 'hidden' });
  // focus back on the Revoke button (fails after 5 s if it never gets there)
  await page.waitForFunction((el) => el === document.activeElement, await revoke.elementHandle(), { timeout: 5_000 });
  assert.equal((await c.gw.fetch('/key', { key: secret })).status, 200, 'cancel revoked nothing');
  await page.keyboard.press('Enter');
  await dialog.waitFor();
  await page.keyboard.press('Tab');
  await page.keyboard.press('Enter');
  await dialog.waitFor({ state: 'hidden' });
  await page.getByRole('status').filter({ hasText: 'revoked' }).waitFor();
  await row(page, 'console created').waitFor({ state: 'detached' });
  assert.equal((await c.gw.fetch('/key', { key: secret })).status, 401);
  assert.equal((await apiJson(`/keys/${made.data.id}`)).data.revoked, true);

  await page.getByLabel('Show revoked keys').check();
  assert.match(page.url(), /#\/keys\?revoked=1$/);
  await row(page, 'console created').waitFor();
  assert.equal((await cells(page, 'console created'))[6], 'revoked');
  assert.equal(await row(page, 'console created').getByRole('button').count(), 0, 'nothing to do to a revoked key');
  await page.context().close();
});

test('the list comes a page at a time; an account admin sees its account only; a user key has no Keys page', async () => {
  const team = (await apiJson('/accounts', { method: 'POST', json: { name: 'paged team' } })).data;
  for (let i = 0; i < 54; i++) {
    await apiJson('/keys', {
      method: 'POST',
      json: { name: `paged ${String(i).padStart(2, '0')}`, account_id: team.id },
    });
  }
  const admin = await apiJson('/keys', {
    method: 'POST',
    json: { name: 'team admin', role: 'admin', account_id: team.id },
  });

  const page = await c.page();
  await c.signIn(page);
  await page.goto(`${c.base}/#/keys?account=${team.id}`);
  await page.getByRole('button', { name: 'Load more keys' }).click();
  await row(page, 'team admin').waitFor();
  assert.equal(await page.locator('.keys-table tbody tr').count(), 55);
  assert.equal(await page.getByRole('button', { name: 'Load more keys' }).count(), 0, 'the last page');
  await page.context().close();

  const adminPage = await c.page();
  await c.signIn(adminPage, admin.key);
  await adminPage.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Keys' }).click();
  await adminPage.getByRole('button', { name: 'Load more keys' }).click();
  await row(adminPage, 'team admin').waitFor();
  const names = await adminPage.locator('.keys-table tbody tr .key-name').allTextContents();
  assert.equal(names.length, 55);
  assert.ok(
    names.every((n) => /^(paged \d\d|team admin)$/.test(n)),
    'its own account’s keys only',
  );
  assert.equal(await adminPage.locator('th', { hasText: 'Account' }).count(), 0, 'no account column for one account');
  assert.equal(await row(adminPage, 'team admin').getByRole('button').count(), 0, 'not its own key’s to revoke');
  await adminPage.context().close();

  const user = await apiJson('/keys', { method: 'POST', json: { name: 'console user' } });
  const userPage = await c.page();
  await c.signIn(userPage, user.key);
  const nav = await userPage.getByRole('navigation', { name: 'Main' }).getByRole('link').allTextContents();
  assert.ok(!nav.includes('Keys') && !nav.includes('Accounts'), nav.join());
  await userPage.goto(c.base + '/#/keys');
  await userPage.getByRole('alert').filter({ hasText: 'This page needs an admin key' }).waitFor();
  await c.shot(userPage, 'keys-user-key');
  await userPage.context().close();
});

test('at phone width the Keys page fits the screen and the dark theme applies', async () => {
  await apiJson('/keys', { method: 'POST', json: { name: 'phone key', limit: 5, limit_reset: 'daily' } });
  const page = await c.page(PHONE, { colorScheme: 'dark' });
  await c.signIn(page);
  // the default account's keys (the other test's account has a page of its own)
  await page.goto(c.base + '/#/keys?account=acct_default');
  await row(page, 'phone key').waitFor();
  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(width <= PHONE.width, `no sideways scroll (page is ${width} px wide)`);
  await c.shot(page, 'keys-phone');
  await page.getByRole('button', { name: 'Create a key' }).click();
  await page.getByLabel('Name', { exact: true }).waitFor();
  assert.ok((await page.evaluate(() => document.documentElement.scrollWidth)) <= PHONE.width);
  await c.shot(page, 'keys-form-phone', { fullPage: true });
  await page.context().close();
});

test('errors in words (server unreachable, 429) with a retry; a key name with markup is shown as text', async () => {
  const evil = '<img src=x onerror="window.__pwned=1">';
  await apiJson('/keys', { method: 'POST', json: { name: evil } });
  const page = await c.page();
  await c.signIn(page);
  await page.route('**/v1/keys?*', (route) => route.abort('connectionrefused'));
  await page.goto(c.base + '/#/keys?account=acct_default');
  const failed = page.getByRole('alert').filter({ hasText: 'The keys could not be loaded' });
  await failed.getByText('Cannot reach the ARouter server').waitFor();
  await c.shot(page, 'keys-unreachable');

  await page.unroute('**/v1/keys?*');
  await page.route('**/v1/keys?*', (route) =>
    route.fulfill({
      status: 429,
      headers: { 'retry-after': '7', 'content-type': 'application/json' },
      body: JSON.stringify({
        error: { code: 429, message: 'Rate limit exceeded', metadata: { code: 'rate_limited' } },
      }),
    }),
  );
  await failed.getByRole('button', { name: 'Try again' }).click();
  await failed.getByText(/Too many requests: Rate limit exceeded\.? Try again in 7 s\./).waitFor();

  await page.unroute('**/v1/keys?*');
  await failed.getByRole('button', { name: 'Try again' }).click();
  await row(page, evil).waitFor();
  assert.equal(await row(page, evil).locator('.key-name').textContent(), evil);
  assert.equal(await page.locator('img[src="x"]').count(), 0);
  assert.equal(await page.evaluate(() => (window as any).__pwned), undefined);
  await page.context().close();
});
