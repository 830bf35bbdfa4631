// The console's Accounts page in a real browser against a demo gateway: the operator creates an account, adds to
// its credits (exact decimal arithmetic), restricts its providers from the catalog's list and saves (the API's 400
// beside the field it names); an account admin sees its own account with credits and providers read-only.
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

const row = (page: Page, name: string) => page.locator('.accounts-table tbody tr', { hasText: name });

async function apiJson(path: string, init: Parameters<ConsoleHarness['gw']['fetch']>[1] = {}): Promise<any> {
  const res = await c.gw.fetch(path, init);
  assert.ok(res.ok, `${path}: HTTP ${res.status}`);
  return res.json();
}

test('the operator creates an account, adds credits, restricts its providers, and a bad amount is named', async () => {
  const page = await c.page();
  await c.signIn(page);
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Accounts' }).click();
  await row(page, 'acct_default').waitFor();
  assert.match((await row(page, 'acct_default').textContent())!, /unlimited/);

  await page.getByRole('button', { name: 'New account' }).click();
  const create = page.locator('form', { has: page.getByRole('heading', { name: 'New account' }) });
  await create.getByLabel('Name').fill('Team Blue');
  await create.getByLabel('Credits (USD)', { exact: true }).fill('10.10');
  await create.getByRole('button', { name: 'Create account' }).click();

  // created, listed, and opened for editing (a link)
  const editor = page.locator('form', { has: page.getByRole('heading', { name: 'Account “Team Blue”' }) });
  await editor.waitFor();
  await page.getByRole('status').filter({ hasText: 'Account “Team Blue” created.' }).waitFor();
  const id = (await apiJson('/accounts')).data.find((a: any) => a.name === 'Team Blue').id as string;
  assert.match(page.url(), new RegExp(`#/accounts\\?edit=${id}$`));
  assert.match((await row(page, 'Team Blue').textContent())!, /\$0 of \$10\.10 · \$10\.10 left/);

  // add to the credits: exact decimals, no floating point (10.10 + 0.2 is 10.3, not 10.299999…)
  await editor.getByLabel('Add credits (USD)').fill('0.2');
  await editor.getByRole('button', { name: 'Add to credits' }).click();
  assert.equal(await editor.getByLabel('Credits (USD)', { exact: true }).inputValue(), '10.3');

  // providers: from the catalog (GET /v1/providers), every configured one until restricted
  const providers = (await apiJson('/providers')).data as { id: string; name: string }[];
  const all = editor.getByLabel('Every configured provider (no restriction)');
  assert.equal(await all.isChecked(), true);
  await all.uncheck();
  const list = editor.getByRole('group', { name: 'Providers this account may use' });
  assert.equal(await list.getByRole('checkbox').count(), providers.length);
  await editor.getByRole('button', { name: 'Select none' }).click();
  const pick = providers.filter((p) => p.id === 'openai' || p.id === 'anthropic');
  assert.equal(pick.length, 2);
  for (const p of pick) await list.getByRole('checkbox', { name: new RegExp(`^${p.name} `) }).check();
  await c.shot(page, 'accounts-editor', { fullPage: true });
  await editor.getByRole('button', { name: 'Save' }).click();
  await page.getByRole('status').filter({ hasText: 'Saved “Team Blue”.' }).waitFor();

  const saved = (await apiJson(`/accounts/${id}`)).data;
  assert.equal(saved.credits_exact, '10.3');
  assert.deepEqual([...saved.enabled_providers].sort(), ['anthropic', 'openai']);
  await row(page, 'Team Blue').getByText('$0 of $10.30').waitFor();
  const shown = (await row(page, 'Team Blue').locator('td').nth(2).textContent())!;
  assert.deepEqual(shown.split(', ').sort(), pick.map((p) => p.name).sort());

  // a bad amount: the API's 400 beside the credits field
  const credits = editor.getByLabel('Credits (USD)', { exact: true });
  await credits.fill('1.1234567890123');
  await editor.getByRole('button', { name: 'Save' }).click();
  await credits.and(page.locator('[aria-invalid="true"]')).waitFor();
  assert.match((await page.locator(`#${await credits.getAttribute('id')}-error`).textContent())!, /credits/);
  assert.equal((await apiJson(`/accounts/${id}`)).data.credits_exact, '10.3', 'nothing saved');
  await c.shot(page, 'accounts-error');

  // unlimited again, and every provider
  await editor.getByLabel('Unlimited credits').check();
  await all.check();
  await editor.getByRole('button', { name: 'Save' }).click();
  await page.getByRole('status').filter({ hasText: 'Saved' }).waitFor();
  await row(page, 'Team Blue').getByText('All configured').waitFor();
  const after = (await apiJson(`/accounts/${id}`)).data;
  assert.equal(after.credits, null);
  assert.equal(after.enabled_providers, null);
  await editor.getByRole('button', { name: 'Close' }).click();
  await editor.waitFor({ state: 'detached' });
  await c.shot(page, 'accounts');
  await page.context().close();
});

test('an account admin sees its own account, credits and providers read-only, and may rename it', async () => {
  const acct = (
    await apiJson('/accounts', {
      method: 'POST',
      json: { name: 'Team Red', credits: 5, enabled_providers: ['openai'] },
    })
  ).data;
  const admin = await apiJson('/keys', {
    method: 'POST',
    json: { name: 'red admin', role: 'admin', account_id: acct.id },
  });
  const page = await c.page();
  await c.signIn(page, admin.key);
  await page.goto(c.base + '/#/accounts');
  await row(page, 'Team Red').waitFor();
  assert.equal(await page.locator('.accounts-table tbody tr').count(), 1, 'its own account only');
  assert.equal(await page.getByRole('button', { name: 'New account' }).count(), 0);
  await page.getByRole('button', { name: 'Edit account Team Red' }).click();
  const editor = page.locator('form', { has: page.getByRole('heading', { name: 'Account “Team Red”' }) });
  await editor.getByText('Credits are set by the operator’s key.').waitFor();
  assert.equal(await editor.getByLabel('Credits (USD)', { exact: true }).count(), 0);
  assert.equal(await editor.getByRole('checkbox').count(), 0);
  await editor.getByLabel('Name').fill('Team Crimson');
  await editor.getByRole('button', { name: 'Save' }).click();
  await page.getByRole('status').filter({ hasText: 'Saved “Team Crimson”.' }).waitFor();
  assert.equal((await apiJson(`/accounts/${acct.id}`)).data.name, 'Team Crimson');
  await page.context().close();
});

test('at phone width the Accounts page fits the screen', async () => {
  const page = await c.page(PHONE);
  await c.signIn(page);
  await page.goto(c.base + '/#/accounts?edit=acct_default');
  await page.getByRole('heading', { name: /^Account “/ }).waitFor();
  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(width <= PHONE.width, `no sideways scroll (page is ${width} px wide)`);
  await c.shot(page, 'accounts-phone', { fullPage: true });
  await page.context().close();
});
