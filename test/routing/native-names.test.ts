import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Catalog, loadBuiltinCatalog } from '../../src/catalog/catalog.js';
import { catalogIdForNative } from '../../src/routing/native-names.js';

const catalog = new Catalog(loadBuiltinCatalog());

test("a provider's own model names resolve to catalog ids; catalog ids and unknown names pass unchanged", () => {
  assert.equal(catalogIdForNative(catalog, 'claude-sonnet-4-5', 'anthropic'), 'anthropic/claude-sonnet-4.5');
  // Claude Code sends dated snapshots the catalog may list only undated
  assert.equal(catalogIdForNative(catalog, 'claude-sonnet-4-5-20250929', 'anthropic'), 'anthropic/claude-sonnet-4.5');
  assert.equal(catalogIdForNative(catalog, 'claude-3-5-haiku-20241022', 'anthropic'), 'anthropic/claude-3.5-haiku');
  assert.equal(catalogIdForNative(catalog, 'anthropic/claude-sonnet-4.6', 'anthropic'), 'anthropic/claude-sonnet-4.6');
  assert.equal(catalogIdForNative(catalog, 'auto', 'anthropic'), 'auto');
  assert.equal(catalogIdForNative(catalog, 'claude-nonexistent-9', 'anthropic'), 'claude-nonexistent-9');
  assert.equal(catalogIdForNative(catalog, 'gpt-4o-mini', 'openai'), 'openai/gpt-4o-mini');
});
