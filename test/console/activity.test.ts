// The Activity page in a real browser against a demo gateway with known traffic: a key with no traffic sees the
// empty state; after chat requests made with a key, its charts draw (canvas, uPlot's stylesheet applied, the legend
// naming the model, the totals), the generations table lists each request with its cost, a row opens the detail
// (exact cost, tokens, attempts, route); grouping by provider, the status filter, paging by cursor, an admin's key
// filter; light and dark, desktop and phone width, with screenshots in test-artifacts/console/.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { PHONE, startConsole, type ConsoleHarness } from './browser.js';
import { chat, chatStream, createKey, generation } from '../helpers/accounting.js';
import { formatUsd } from '../../console/src/format.js';

let c: ConsoleHarness;
let user: { key: string; id: string };
const ids: string[] = [];

before(async () => {
  c = await startConsole();
  user = await createKey(c.gw, { name: 'activity user' });
  const body = (model: string, text: string) => ({
    model,
    max_tokens: 40,
    messages: [{ role: 'user', content: text }],
  });
  const r1 = await chat(c.gw, body('openai/gpt-4o', 'hello there'), user.key);
  assert.equal(r1.status, 200, JSON.stringify(r1.body));
  ids.push(r1.body.id);
  const r2 = await chatStream(c.gw, body('anthropic/claude-sonnet-4.5', 'and a streamed one'), user.key);
  assert.equal(r2.status, 200);
  ids.push(r2.id!);
});
after(async () => {
  await c?.close();
});

async function openActivity(page: Page, key: string, hash = '#/activity'): Promise<void> {
  await c.signIn(page, key);
  await page.goto(c.base + '/' + hash);
  await page.getByRole('heading', { name: 'Activity', level: 1 }).waitFor();
}

const legend = (page: Page, title: string) =>
  page
    .getByRole('list', { name: `${title}: totals by group` })
    .locator('.legend-label')
    .allTextContents();

test('a key with no traffic sees the empty state, pointing at the Playground', async () => {
  const fresh = await createKey(c.gw, { name: 'activity empty' });
  const page = await c.page();
  await openActivity(page, fresh.key);
  await page.getByText('No traffic yet.').waitFor();
  assert.equal(await page.getByRole('link', { name: 'Send a request from the Playground' }).count(), 1);
  await page.getByText('No requests in this range.').waitFor();
  assert.equal(await page.locator('.chart-canvas canvas').count(), 0, 'no empty charts are drawn');
  await c.shot(page, 'activity-empty');
  await page.context().close();
});

test('the charts draw the traffic: canvas, uPlot styles, legend by model, totals; then by provider', async () => {
  const page = await c.page();
  await openActivity(page, user.key);
  await page.locator('.chart-canvas canvas').first().waitFor();
  assert.equal(await page.locator('.chart-canvas .uplot').count(), 3, 'spend, requests and tokens');
  const position = await page
    .locator('.chart-canvas .u-over')
    .first()
    .evaluate((e) => getComputedStyle(e).position);
  assert.equal(position, 'absolute', "uPlot's stylesheet is applied (a constructed sheet, allowed by the CSP)");
  assert.deepEqual(
    (await legend(page, 'Spend per day')).sort(),
    ['anthropic/claude-sonnet-4.5', 'openai/gpt-4o'],
    'the legend names the models',
  );
  const totals = page.getByRole('definition');
  const gens = await Promise.all(ids.map((id) => generation(c.gw, id, user.key)));
  const spend = gens.reduce((s, g) => s + g.total_cost, 0);
  assert.equal(await totals.nth(0).textContent(), formatUsd(spend));
  assert.equal(await totals.nth(1).textContent(), '2');
  // the screen-reader table has a row for every day of the range (30 by default)
  assert.equal(await page.locator('figure').first().locator('tbody tr').count(), 30);
  assert.ok(!c.logs.some((l) => /Content Security Policy|pageerror/i.test(l)), c.logs.join('\n'));
  assert.equal(await page.getByLabel('Key', { exact: true }).count(), 0, 'a user key has no key filter');

  await page.getByLabel('Group the charts').selectOption('provider');
  await page.waitForFunction(() => /by=provider/.test(location.hash));
  await page.getByRole('list', { name: 'Spend per day: totals by group' }).getByText('anthropic').waitFor();
  assert.deepEqual((await legend(page, 'Requests per day')).sort(), ['anthropic', 'openai']);
  await page.getByLabel('Group the charts').selectOption('model');
  await page.getByRole('list', { name: 'Spend per day: totals by group' }).getByText('openai/gpt-4o').waitFor();
  await c.shot(page, 'activity-desktop', { fullPage: true });
  await page.context().close();
});

test('the table lists each generation with its cost; a row opens its detail', async () => {
  const page = await c.page();
  await openActivity(page, user.key);
  const table = page.getByRole('table', { name: 'Generations, newest first' });
  await table.waitFor();
  const g = await generation(c.gw, ids[0], user.key);
  const row = table.getByRole('row').filter({ hasText: 'openai/gpt-4o' });
  assert.equal(await row.count(), 1);
  const cells = await row.getByRole('cell').allTextContents();
  assert.ok(cells.includes(formatUsd(g.total_cost)), `the row shows its cost: ${cells.join(' | ')}`);
  assert.ok(cells.includes(`${g.tokens_prompt} / ${g.tokens_completion}`), cells.join(' | '));
  assert.ok(cells.includes('ok') && cells.includes('no'), 'status and streamed');
  const streamedRow = table.getByRole('row').filter({ hasText: 'anthropic/claude-sonnet-4.5' });
  assert.ok((await streamedRow.getByRole('cell').allTextContents()).includes('yes'));
  await page.getByText('2 generations, all shown.').waitFor();

  // keyboard: the row's link opens the detail
  await row.getByRole('link').focus();
  await page.keyboard.press('Enter');
  await page.getByRole('heading', { name: 'Generation', level: 1 }).waitFor();
  assert.match(page.url(), new RegExp(`#/activity/${ids[0]}$`));
  await page.getByText(`$${g.total_cost_exact}`).waitFor();
  const attempts = page.getByRole('table', { name: 'Attempts, in order' });
  assert.ok((await attempts.getByRole('row').nth(1).textContent())!.includes('openai'));
  await page.getByText('answered by').waitFor();
  const request = page.getByRole('region', { name: 'Request' });
  assert.ok((await request.textContent())!.includes('stop'), 'the finish reason');
  const tokens = page.getByRole('region', { name: 'Tokens' });
  assert.ok((await tokens.textContent())!.includes(String(g.tokens_prompt)));
  await c.shot(page, 'activity-detail', { fullPage: true });
  await page.getByText('The whole answer (JSON)').click();
  await page.getByRole('button', { name: 'Copy Generation JSON' }).waitFor();

  // an unknown id is said in words
  await page.goto(c.base + '/#/activity/gen-does-not-exist');
  await page.getByRole('alert').filter({ hasText: 'not found' }).waitFor();
  await page.context().close();
});

test('the status filter and the range are in the link; no match is said in words', async () => {
  const page = await c.page();
  await openActivity(page, user.key, '#/activity?status=error&range=7');
  await page.getByText('No generations match these filters.').waitFor();
  assert.equal(await page.getByLabel('Date range').inputValue(), '7');
  assert.equal(await page.getByLabel('Status').inputValue(), 'error');
  await page.getByLabel('Status').selectOption('ok');
  await page.getByRole('table', { name: 'Generations, newest first' }).waitFor();
  await page.getByLabel('Model').fill('openai/gpt-4o');
  await page.getByLabel('Model').press('Enter');
  await page.waitForFunction(() => /model=openai%2Fgpt-4o/.test(location.hash));
  await page.getByText('1 generation, all shown.').waitFor();
  await page.getByLabel('Date range').selectOption('custom');
  const today = new Date().toISOString().slice(0, 10);
  await page.getByLabel('From', { exact: true }).fill('2026-01-01');
  await page.getByLabel('To', { exact: true }).fill(today);
  await page.getByRole('button', { name: 'Apply' }).click();
  await page.getByText(`2026-01-01 to ${today} (UTC days).`).waitFor();
  assert.match(page.url(), /range=custom/);
  assert.match(page.url(), /from=2026-01-01/);
  await page.getByText('1 generation, all shown.').waitFor();
  // a backwards range is refused in words (and the last 30 days shown meanwhile)
  await page.getByLabel('From', { exact: true }).fill(today);
  await page.getByLabel('To', { exact: true }).fill('2026-01-01');
  await page.getByRole('button', { name: 'Apply' }).click();
  await page.getByRole('alert').filter({ hasText: 'The first day must not be after the last.' }).waitFor();
  await page.context().close();
});

test('more than a page: "Load more" follows the cursor; an admin narrows to one key', async () => {
  const many = await createKey(c.gw, { name: 'activity many' });
  const body = { model: 'openai/gpt-4o-mini', max_tokens: 5, messages: [{ role: 'user', content: 'hi' }] };
  for (let i = 0; i < 51; i++) assert.equal((await chat(c.gw, body, many.key)).status, 200);
  const page = await c.page();
  await openActivity(page, many.key);
  const rows = page.getByRole('table', { name: 'Generations, newest first' }).locator('tbody tr');
  await page.getByRole('button', { name: 'Load more' }).waitFor();
  assert.equal(await rows.count(), 50);
  await page.getByRole('button', { name: 'Load more' }).click();
  await page.getByText('51 generations, all shown.').waitFor();
  assert.equal(await rows.count(), 51);
  await page.context().close();

  // the operator key sees the account's traffic and may pick one key
  const admin = await c.page();
  await openActivity(admin, c.gw.adminKey);
  const keySelect = admin.getByLabel('Key', { exact: true });
  await keySelect.locator('option', { hasText: 'activity user' }).waitFor({ state: 'attached' });
  await keySelect.selectOption(user.id);
  await admin.getByText('2 generations, all shown.').waitFor();
  await admin.context().close();
});

test('dark theme at phone width: the charts fit, the page does not scroll sideways', async () => {
  const page = await c.page(PHONE, { colorScheme: 'dark' });
  await openActivity(page, user.key);
  await page.locator('.chart-canvas canvas').first().waitFor();
  const [canvasWidth, pageWidth] = await page.evaluate(() => [
    document.querySelector('.chart-canvas .uplot')!.getBoundingClientRect().width,
    document.documentElement.scrollWidth,
  ]);
  assert.ok(pageWidth <= PHONE.width, `no sideways scroll at ${PHONE.width} px (page is ${pageWidth} px wide)`);
  assert.ok(canvasWidth > 200 && canvasWidth <= PHONE.width, `the chart fits (${canvasWidth} px)`);
  await c.shot(page, 'activity-phone-dark', { fullPage: true });
  const desktop = await c.page(undefined, { colorScheme: 'dark' });
  await openActivity(desktop, user.key);
  await desktop.locator('.chart-canvas canvas').first().waitFor();
  await c.shot(desktop, 'activity-desktop-dark');
  // a theme switch redraws the charts in the other theme's colours
  await desktop.getByRole('button', { name: 'Switch to light theme' }).click();
  await desktop.locator('.chart-canvas canvas').first().waitFor();
  await page.context().close();
  await desktop.context().close();
});

test('a refused or unreachable API is said in words, with a retry', async () => {
  const page = await c.page();
  await c.signIn(page, user.key);
  await page.route('**/v1/activity/daily?*', (r) =>
    r.fulfill({
      status: 429,
      headers: { 'content-type': 'application/json', 'retry-after': '3' },
      body: JSON.stringify({ error: { message: 'Rate limit exceeded', code: 429 } }),
    }),
  );
  await page.route('**/v1/activity?*', (r) => r.abort('connectionrefused'));
  await page.goto(c.base + '/#/activity');
  const charts = page.getByRole('alert').filter({ hasText: 'The activity charts could not be loaded' });
  await charts.getByText('Too many requests: Rate limit exceeded. Try again in 3 s.').waitFor();
  const table = page.getByRole('alert').filter({ hasText: 'The generations could not be loaded' });
  await table.getByText('Cannot reach the ARouter server').waitFor();
  await c.shot(page, 'activity-errors');
  await page.unrouteAll();
  await table.getByRole('button', { name: 'Try again' }).click();
  await page.getByRole('table', { name: 'Generations, newest first' }).waitFor();
  await page.context().close();
});
