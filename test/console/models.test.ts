// The console's models pages in a real browser against a demo gateway: the list filtered to image output (the
// same models as the API's output_modalities=image) and kept in the URL, search, sort, parameters, provider,
// paging; a model page with its endpoints table and live stats, the copyable code samples, the playground link;
// and a model whose name and description are markup, shown as text.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { PHONE, startConsole, type ConsoleHarness } from './browser.js';

const EVIL_NAME = '<img src=x onerror="window.__pwned=1">Evil';
const EVIL_DESCRIPTION = '<script>window.__pwned=2</script><b>bold?</b> & more';
const zero = {
  request: '0',
  image: '0',
  web_search: '0',
  internal_reasoning: '0',
  input_cache_read: '0',
  input_cache_write: '0',
};

let c: ConsoleHarness;
before(async () => {
  c = await startConsole({
    config: {
      models: [
        {
          id: 'evil/markup',
          name: EVIL_NAME,
          description: EVIL_DESCRIPTION,
          context_length: 4096,
          architecture: {
            input_modalities: ['text'],
            output_modalities: ['text'],
            tokenizer: 'cl100k_base',
            instruct_type: null,
          },
          supported_parameters: ['max_tokens'],
          endpoints: [
            {
              provider: 'openai',
              model: 'gpt-4o-mini',
              context_length: 4096,
              max_completion_tokens: 512,
              quantization: 'fp8',
              is_moderated: false,
              pricing: { prompt: '0.000001', completion: '0.000002', ...zero },
            },
          ],
        },
      ],
    },
  });
});
after(async () => {
  await c?.close();
});

async function apiIds(query: string): Promise<string[]> {
  const r = await c.gw.fetch(`/models?${query}`);
  return ((await r.json()) as any).data.map((m: any) => m.id);
}

/** the model ids of the table's rows (each row's second line is its id) */
const shownIds = (page: Page) => page.locator('.models-table tbody tr .model-sub code').allTextContents();

test('filter to image output: the same models as the API, the filter in the URL, a link that restores it', async () => {
  const page = await c.page();
  await c.signIn(page);
  const total = (await apiIds('output_modalities=all')).length;
  await page.getByText(`${total} models`).waitFor();
  assert.equal((await shownIds(page)).length, 50, 'a page of 50, not hundreds of rows');
  await page
    .getByRole('navigation', { name: 'Pages' })
    .getByText(`Page 1 of ${Math.ceil(total / 50)}`)
    .waitFor();

  await page.getByRole('checkbox', { name: 'image' }).check();
  const images = await apiIds('output_modalities=image');
  assert.ok(images.length > 0 && images.length < total);
  await page.getByText(`${images.length} of ${total} models match`).waitFor();
  assert.deepEqual((await shownIds(page)).sort(), [...images].sort());
  assert.match(page.url(), /#\/models\?out=image$/);
  await c.shot(page, 'models-image');

  // the URL alone restores the list
  const linked = await c.page();
  await c.signIn(linked);
  await linked.goto(page.url());
  await linked.getByText(`${images.length} of ${total} models match`).waitFor();
  assert.equal(await linked.getByRole('checkbox', { name: 'image' }).isChecked(), true);
  await linked.context().close();

  // any of the listed outputs, as the API's comma list
  await page.getByRole('checkbox', { name: 'audio' }).check();
  const either = await apiIds('output_modalities=image,audio');
  await page.getByText(`${either.length} of ${total} models match`).waitFor();
  assert.deepEqual((await shownIds(page)).sort(), [...either].sort());
  await page.context().close();
});

test('search, supported parameters (all of), provider, price and context ranges, sort, paging', async () => {
  const page = await c.page();
  await c.signIn(page);
  await page.getByLabel('Search').fill('gpt-4o');
  await page.locator('.results-count', { hasText: 'match' }).waitFor();
  const found = await shownIds(page);
  assert.ok(found.length > 0 && found.every((id) => id.includes('gpt-4o')), found.join());

  await page.getByRole('button', { name: 'Clear filters' }).click();
  await page.locator('summary', { hasText: 'Supported parameters' }).click();
  await page.getByRole('checkbox', { name: /^tools \d+$/ }).check();
  await page.getByRole('checkbox', { name: /^seed \d+$/ }).check();
  const withBoth = await apiIds('output_modalities=all&supported_parameters=tools,seed');
  await page.getByText(`${withBoth.length} of`).waitFor();
  assert.match(page.url(), /params=tools%2Cseed|params=tools,seed/);

  await page.getByRole('button', { name: 'Clear filters' }).click();
  await page.getByLabel('Provider').selectOption('anthropic');
  await page.locator('.results-count', { hasText: 'match' }).waitFor();
  const providers = await page.locator('.models-table tbody tr td:nth-child(2)').allTextContents();
  assert.ok(providers.length > 0 && providers.every((p) => p.includes('Anthropic')), providers.join(' | '));

  await page.getByRole('button', { name: 'Clear filters' }).click();
  await page.getByLabel('From', { exact: true }).fill('1');
  await page.getByLabel('To', { exact: true }).fill('3');
  await page.getByLabel('At least', { exact: true }).fill('200');
  await page.getByLabel('Sort by').selectOption('price-asc');
  await page.locator('.results-count', { hasText: 'match' }).waitFor();
  const prices = (await page.locator('.models-table tbody tr td:nth-child(4)').allTextContents()).map((t) =>
    Number(t.replace(/[$,]/g, '')),
  );
  const contexts = await page.locator('.models-table tbody tr td:nth-child(3)').allTextContents();
  assert.ok(prices.length > 1, 'some models priced $1–3 with ≥ 200K context');
  assert.ok(
    prices.every((p) => p >= 1 && p <= 3),
    prices.join(),
  );
  assert.deepEqual(
    prices,
    [...prices].sort((a, b) => a - b),
    'sorted by input price',
  );
  assert.ok(
    contexts.every((t) => /M$/.test(t) || Number(t.replace('K', '')) >= 200),
    contexts.join(),
  );

  await page.getByRole('button', { name: 'Clear filters' }).click();
  await page.getByRole('button', { name: 'Next' }).click();
  await page.getByText(/^Page 2 of/).waitFor();
  assert.match(page.url(), /page=2/);
  await page.context().close();
});

test('a model page: endpoints with live stats, code samples that copy, the playground link', async () => {
  // one answer through openai/gpt-4o, so its endpoint has traffic to show
  const chat = await c.gw.fetch('/chat/completions', {
    method: 'POST',
    json: { model: 'openai/gpt-4o', messages: [{ role: 'user', content: 'hi' }] },
  });
  assert.equal(chat.status, 200);
  const page = await c.page(undefined, { clipboard: true });
  await c.signIn(page);
  await page.getByLabel('Search').fill('openai/gpt-4o');
  await page.getByRole('link', { name: 'OpenAI: GPT-4o', exact: true }).click();
  await page.getByRole('heading', { name: 'OpenAI: GPT-4o' }).waitFor();
  assert.match(page.url(), /#\/models\/openai\/gpt-4o$/);

  const table = page.getByRole('region', { name: 'Endpoints serving openai/gpt-4o' });
  const row = table.locator('tbody tr', { hasText: 'OpenAI' }).first();
  await row.waitFor();
  const cells = await row.locator('td').allTextContents();
  const endpoints = (await (await c.gw.fetch('/models/openai/gpt-4o/endpoints')).json()) as any;
  const ep = endpoints.data.endpoints.find((e: any) => e.provider_name === 'OpenAI');
  assert.equal(cells[1], `$${(Number(ep.pricing.prompt) * 1e6).toFixed(2)}`, 'input per 1M');
  assert.equal(cells[2], `$${(Number(ep.pricing.completion) * 1e6).toFixed(2)}`, 'output per 1M');
  assert.match(cells[3], /Cache read \$[\d.]+\/M/);
  assert.equal(cells[4], '128K');
  assert.equal(cells[7], '100%', 'uptime from the answer just served');
  assert.match(cells[9], /tok\/s$/);
  assert.equal(cells[10], 'Closed (healthy)');
  await page.getByRole('list', { name: 'Supported parameters' }).getByText('tools', { exact: true }).waitFor();

  const base = c.base + '/v1';
  const curl = await page.locator('.code', { hasText: 'curl' }).locator('pre').textContent();
  assert.ok(curl!.includes(`${base}/chat/completions`) && curl!.includes('"model":"openai/gpt-4o"'), curl!);
  assert.ok(!curl!.includes(c.gw.adminKey), 'never the signed-in key');
  const py = await page.locator('.code', { hasText: 'Python' }).locator('pre').textContent();
  assert.ok(py!.includes(`base_url="${base}"`) && py!.includes('model="openai/gpt-4o"'));
  await page.getByRole('button', { name: 'Copy OpenAI SDK (TypeScript)' }).click();
  await page.getByRole('button', { name: 'Copied' }).waitFor();
  const copied = await page.evaluate(() => navigator.clipboard.readText());
  assert.ok(copied.includes("model: 'openai/gpt-4o'") && copied.includes(`baseURL: '${base}'`), copied);

  const playground = page.getByRole('link', { name: 'Try in playground' });
  assert.equal(await playground.getAttribute('href'), '#/playground?model=openai%2Fgpt-4o');
  await c.shot(page, 'model-page');
  await page.getByRole('heading', { name: 'Providers' }).scrollIntoViewIfNeeded();
  await page.evaluate(() => window.scrollBy(0, -80));
  await c.shot(page, 'model-endpoints');

  // throughput sort: the model with traffic first
  await page.goto(c.base + '/#/models?sort=throughput-desc');
  await page.locator('.models-table tbody tr').first().waitFor();
  assert.equal((await shownIds(page))[0], 'openai/gpt-4o');
  await page.context().close();
});

test('markup in a model name or description is shown as text, never run', async () => {
  const page = await c.page();
  await c.signIn(page);
  await page.goto(c.base + '/#/models?q=evil');
  await page.getByRole('link', { name: EVIL_NAME }).click();
  await page.getByRole('heading', { name: EVIL_NAME }).waitFor();
  assert.equal(await page.locator('.description').textContent(), EVIL_DESCRIPTION);
  assert.equal(await page.locator('.description b, .description script, img[src="x"]').count(), 0);
  assert.equal(await page.evaluate(() => (window as any).__pwned), undefined);
  await page.context().close();
});

test('at phone width the model page fits the screen', async () => {
  const page = await c.page(PHONE);
  await c.signIn(page);
  await page.goto(c.base + '/#/models/openai/gpt-4o');
  await page.getByRole('heading', { name: 'OpenAI: GPT-4o' }).waitFor();
  await page.locator('.endpoints-table tbody tr').first().waitFor();
  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(width <= PHONE.width, `no sideways scroll (page is ${width} px wide)`);
  await c.shot(page, 'model-phone');
  await page.context().close();
});
