// The Playground in a real browser against a demo gateway: a model prefilled from the link, an answer streamed,
// its exact cost, tokens and route explanation; a reasoning model's reasoning apart; a second turn carrying the
// first; Stop (recorded as cancelled); and every failure in words: 400 naming the field, 402, 429 with its wait,
// a mid-stream error chunk, the server unreachable. Screenshots: desktop, dark, phone.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { PHONE, startConsole, type ConsoleHarness } from './browser.js';

let c: ConsoleHarness;
before(async () => {
  c = await startConsole({ config: { upstream: { keepalive_comment_ms: 200 } } });
});
after(async () => {
  await c?.close();
});

async function open(page: Page, model: string, key?: string): Promise<void> {
  await c.signIn(page, key);
  await page.goto(`${c.base}/#/playground?model=${encodeURIComponent(model)}`);
  await page.getByRole('heading', { name: 'Playground' }).waitFor();
}

async function ask(page: Page, text: string): Promise<void> {
  const box = page.getByLabel('Message');
  await box.fill(text);
  await box.press('Enter');
}

const lastTurn = (page: Page) => page.locator('.pg-turn').last();

async function createKey(body: Record<string, unknown>): Promise<string> {
  const res = await c.gw.fetch('/keys', { method: 'POST', json: body });
  assert.equal(res.status, 201);
  return ((await res.json()) as { key: string }).key;
}

test("a model page's link opens the playground on it; the answer streams, then its exact cost, tokens and route", async () => {
  const page = await c.page();
  await c.signIn(page);
  await page.goto(`${c.base}/#/models/openai/gpt-4o-mini`);
  await page.getByRole('link', { name: 'Try in playground' }).click();
  await page.getByRole('heading', { name: 'Playground' }).waitFor();
  assert.match(page.url(), /#\/playground\?model=openai%2Fgpt-4o-mini$/);
  assert.equal(
    await page.getByLabel('Model', { exact: true }).inputValue(),
    'openai/gpt-4o-mini',
    'prefilled from the link',
  );
  await page.getByRole('link', { name: 'About openai/gpt-4o-mini' }).waitFor();
  await page.getByLabel('System prompt').fill('Be brief.');
  await page.getByLabel('Temperature').fill('0.3');
  await page.getByLabel('Max tokens').fill('64');
  await ask(page, 'What is <b>ARouter</b>?');
  const turn = lastTurn(page);
  await turn.getByText('Hello from gpt-4o-mini').waitFor();
  await turn.getByRole('heading', { name: 'Attempts' }).waitFor();
  assert.equal(await page.getByLabel('Message').inputValue(), '', 'the box is emptied for the next message');
  // the user's text is shown as text, never as markup
  assert.equal(await turn.locator('.pg-user .pg-text').textContent(), 'What is <b>ARouter</b>?');
  assert.equal(await turn.locator('.pg-user b').count(), 0);

  const sent = c.sims.openai.requests.at(-1)!.body as any;
  assert.equal(sent.temperature, 0.3);
  assert.equal(sent.max_tokens ?? sent.max_completion_tokens, 64);
  assert.deepEqual(
    sent.messages.map((m: any) => m.role),
    ['system', 'user'],
  );

  // the cost shown is the ledger's, every digit
  const id = (await turn.locator('.pg-gen code').textContent())!;
  const g = ((await (await c.gw.fetch(`/generation?id=${id}`)).json()) as any).data;
  const usage = await turn.locator('.pg-usage').innerText();
  assert.ok(usage.includes(`$${g.total_cost_exact}`), `${usage} shows $${g.total_cost_exact}`);
  assert.ok(usage.includes(`Prompt tokens\n${g.tokens_prompt}`), usage);
  assert.ok(usage.includes(`Completion tokens\n${g.tokens_completion}`), usage);
  assert.match(usage, /Reasoning tokens\n0/);
  assert.match(usage, /Cached tokens\n0/);
  const route = await turn.locator('.pg-route').innerText();
  assert.match(route, /answered by openai\/gpt-4o-mini at openai/);
  assert.match(route, /Why this endpoint: /);
  assert.match(route, /openai \(gpt-4o-mini\): HTTP 200 in \d+/);
  assert.equal(await turn.locator('.pg-who .badge').textContent(), 'openai', 'the provider');
  await c.shot(page, 'playground-desktop', { fullPage: true });
  await page.context().close();
});

test('a reasoning model: :thinking shows the reasoning apart; a second turn carries the first; Clear empties', async () => {
  const page = await c.page();
  await open(page, 'anthropic/claude-sonnet-4.5');
  await page.getByLabel('Variant').selectOption('thinking');
  await page.getByText('anthropic/claude-sonnet-4.5:thinking').first().waitFor();
  assert.match(page.url(), /variant=thinking/, 'the variant is in the link');
  await ask(page, 'hi there');
  const turn = lastTurn(page);
  await turn.getByRole('heading', { name: 'Attempts' }).waitFor();
  const reasoning = turn.locator('details.pg-reasoning');
  assert.equal(await reasoning.locator('summary').textContent(), 'Reasoning');
  if (!(await reasoning.evaluate((d) => (d as HTMLDetailsElement).open))) await reasoning.locator('summary').click();
  assert.match(await reasoning.locator('.pg-text').innerText(), /The user said "hi there"/);
  const answer = await turn.locator('.pg-answer').innerText();
  assert.match(answer, /^Hello from claude-sonnet-4-5/);
  assert.doesNotMatch(answer, /The user said/, 'the reasoning is not in the answer');
  const usage = await turn.locator('.pg-usage').innerText();
  assert.doesNotMatch(usage, /Reasoning tokens\n0\b/, usage);
  assert.match(await turn.locator('.pg-route').innerText(), /Asked for anthropic\/claude-sonnet-4\.5:thinking/);
  await c.shot(page, 'playground-reasoning', { fullPage: true });

  // Shift+Enter is a new line, Enter sends; the history goes with it (the answer, not its reasoning)
  const box = page.getByLabel('Message');
  await box.fill('and again');
  await box.press('Shift+Enter');
  await box.pressSequentially('twice');
  assert.equal(await box.inputValue(), 'and again\ntwice');
  await box.press('Enter');
  await page.locator('.pg-turn').nth(1).getByRole('heading', { name: 'Attempts' }).waitFor();
  const body = c.sims.anthropic.requests.at(-1)!.body as any;
  assert.deepEqual(
    body.messages.map((m: any) => m.role),
    ['user', 'assistant', 'user'],
  );
  await page.getByRole('button', { name: 'Clear' }).click();
  assert.equal(await page.locator('.pg-turn').count(), 0);
  await page.getByText('No messages yet').waitFor();
  await page.context().close();
});

test(':floor over several endpoints: the plan in price order, a drop the request caused, the routine ones folded', async () => {
  const page = await c.page();
  await open(page, 'meta-llama/llama-3.3-70b-instruct');
  await page.getByLabel('Variant').selectOption('floor');
  await page.getByLabel('Max tokens').fill('20000');
  await ask(page, 'cheapest please');
  const turn = lastTurn(page);
  await turn.getByRole('heading', { name: 'Attempts' }).waitFor();
  const route = turn.locator('.pg-route');
  const text = await route.innerText();
  assert.match(text, /Why this endpoint: cheapest endpoint first \(:floor\)/);
  const plan = await route.locator('ol.pg-list').first().locator('li').allInnerTexts();
  assert.ok(plan.length >= 2, plan.join('\n'));
  const prices = plan.map((l) => Number(/expected \$([\d.]+)/.exec(l)![1]));
  assert.deepEqual(
    prices,
    [...prices].sort((a, b) => a - b),
    'cheapest first',
  );
  // DeepInfra's endpoint takes 16,384 output tokens at most: left out because of this request's max_tokens
  const notable = await route.locator('h4:has-text("Left out") + ul').innerText();
  assert.match(notable, /DeepInfra|deepinfra/);
  const more = route.locator('details.pg-more');
  assert.match(await more.locator('summary').innerText(), /1 endpoint as usual/);
  assert.equal(await more.evaluate((d) => (d as HTMLDetailsElement).open), false, 'folded');
  await c.shot(page, 'playground-floor', { fullPage: true });
  await page.context().close();
});

test('Stop aborts the stream; the server records the request as cancelled', async () => {
  c.sims.openai.script({ match: { model: 'gpt-4o-mini' }, ttftMs: 100, tokensPerSecond: 2 });
  const page = await c.page();
  await open(page, 'openai/gpt-4o-mini');
  await ask(page, 'take your time');
  const turn = lastTurn(page);
  await turn.getByText('Streaming…').waitFor();
  await page.getByRole('button', { name: 'Stop' }).click();
  await turn.getByText('Stopped.').waitFor();
  await turn.getByText('stopped by you (recorded as cancelled)').waitFor();
  const id = (await turn.locator('.pg-gen code').textContent())!;
  const g = ((await (await c.gw.fetch(`/generation?id=${id}`)).json()) as any).data;
  assert.equal(g.cancelled, true);
  await page.getByRole('button', { name: 'Send' }).waitFor();

  // stopped (with Esc this time) before the first token: the response headers already named the generation
  c.sims.openai.script({ match: { model: 'gpt-4o-mini' }, ttftMs: 10_000 });
  await ask(page, 'never mind');
  const waiting = lastTurn(page);
  // the keep-alive comment (every 200 ms here) opens the stream: its headers name the generation
  await waiting.getByText('Routed; waiting for the first token of openai/gpt-4o-mini').waitFor();
  await page.getByLabel('Message').press('Escape');
  await waiting.getByText('stopped by you (recorded as cancelled)').waitFor();
  await page.context().close();
});

test('failures in words: 400 names the field, 402, 429 with the wait, a mid-stream error, the server unreachable', async () => {
  const page = await c.page();
  await open(page, 'openai/gpt-4o-mini');

  await page.getByLabel('Temperature').fill('5');
  await ask(page, 'too hot');
  await lastTurn(page).getByRole('alert').filter({ hasText: 'The request was refused' }).waitFor();
  assert.match(await lastTurn(page).getByRole('alert').innerText(), /temperature/);
  await page.getByLabel('Temperature').fill('');

  c.sims.openai.script({ match: { model: 'gpt-4o-mini' }, errorEventMidStream: true });
  await ask(page, 'break please');
  const broken = lastTurn(page);
  await broken.getByRole('alert').filter({ hasText: 'The answer failed mid-stream' }).waitFor();
  assert.match(await broken.locator('.pg-answer').innerText(), /^Hello/, 'the text before the error stays');
  await broken.getByRole('heading', { name: 'Attempts' }).waitFor();
  await c.shot(page, 'playground-errors', { fullPage: true });

  await page.route('**/v1/chat/completions', (r) => r.abort('connectionrefused'));
  await ask(page, 'anyone there?');
  await lastTurn(page).getByRole('alert').filter({ hasText: 'Cannot reach the ARouter server' }).waitFor();
  await page.unroute('**/v1/chat/completions');
  await page.context().close();

  const poor = await c.page();
  await open(poor, 'openai/gpt-4o-mini', await createKey({ name: 'tiny limit', limit: 0.000001 }));
  await ask(poor, 'hello');
  await lastTurn(poor).getByRole('alert').filter({ hasText: 'Not enough credits' }).waitFor();
  await poor.context().close();

  const slow = await c.page();
  await open(slow, 'openai/gpt-4o-mini', await createKey({ name: 'one rpm', rate_limit: { requests_per_minute: 1 } }));
  await ask(slow, 'first');
  await lastTurn(slow).getByRole('heading', { name: 'Attempts' }).waitFor();
  await ask(slow, 'second');
  const limited = lastTurn(slow).getByRole('alert');
  await limited.filter({ hasText: 'Too many requests' }).waitFor();
  assert.match(await limited.innerText(), /Try again in \d+ s\./);
  await slow.context().close();
});

test('auto, the dark theme, and a phone width without sideways scrolling', async () => {
  const page = await c.page(PHONE, { colorScheme: 'dark' });
  await c.signIn(page);
  await page.goto(`${c.base}/#/playground`);
  assert.equal(await page.getByRole('button', { name: 'Send' }).isDisabled(), true, 'no model yet');
  await page.getByLabel('auto: let ARouter pick the model').check();
  assert.equal(await page.getByLabel('Model', { exact: true }).isDisabled(), true);
  assert.equal(await page.getByLabel('Variant').count(), 0, 'auto takes no variant');
  await ask(page, 'pick for me');
  const turn = lastTurn(page);
  await turn.getByRole('heading', { name: 'Attempts' }).waitFor();
  const route = await turn.locator('.pg-route').innerText();
  assert.match(route, /Asked for auto/);
  assert.match(route, /Auto picked \S+ of \d+ capable models/);
  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(width <= PHONE.width, `no sideways scroll at ${PHONE.width} px (page is ${width} px wide)`);
  await page.evaluate(() => window.scrollTo(0, 0));
  await c.shot(page, 'playground-phone-dark', { fullPage: true });
  await page.context().close();
});
