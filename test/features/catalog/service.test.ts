import { describe, expect, it } from 'bun:test'
import {
  buildCatalog,
  findModel,
  isOfferingAvailable,
  isProviderConfigured,
  listCatalogModels,
  maxInputTokens,
  offeringsFor,
  ratesPer1mMicros,
  wireCatalogToSimulator,
  type Catalog,
} from '../../../src/features/catalog'
import type { CatalogModel, CatalogOffering, CatalogProvider } from '../../../src/features/catalog/models'
import { presentCatalogModels } from '../../../src/features/catalog/present'

const catalog = buildCatalog()

describe('findModel', () => {
  const scenarios: Array<[string, string | undefined]> = [
    ['gpt-4o-mini', 'gpt-4o-mini'],
    ['gpt-4o-mini-2024-07-18', 'gpt-4o-mini'],
    ['claude-3-5-haiku-latest', 'claude-3-5-haiku'],
    ['meta-llama/Llama-3.1-8B-Instruct', 'llama-3.1-8b-instruct'],
    ['GPT-4o-mini', undefined],
    ['', undefined],
    ['gpt-9', undefined],
  ]
  for (const [name, slug] of scenarios) it(`resolves '${name}' to ${slug ?? 'nothing'}`, () => expect(findModel(catalog, name)?.slug).toBe(slug))

  it('prefers a slug over another model’s alias', () => {
    const a = { ...catalog.models[0]!, slug: 'a', aliases: ['b'] }
    const b = { ...catalog.models[0]!, slug: 'b', aliases: [] }
    expect(findModel({ ...catalog, models: [a, b] }, 'b')?.slug).toBe('b')
  })
})

describe('offeringsFor', () => {
  const scenarios: Array<[string, string, string[]]> = [
    ['llama-3.1-8b-instruct', 'responses', ['openhost-llama-3.1-8b-instruct', 'edge-llama-3.1-8b-instruct']],
    ['meta-llama/Llama-3.1-8B-Instruct', 'responses', ['openhost-llama-3.1-8b-instruct', 'edge-llama-3.1-8b-instruct']],
    ['llama-3.1-8b-instruct', 'embeddings', []],
    ['text-embedding-3-small', 'embeddings', ['openai-batch-text-embedding-3-small']],
    ['gpt-4o', 'vision', ['openai-batch-gpt-4o']],
    ['gpt-4o', 'speech', []],
    ['nope', 'responses', []],
  ]
  for (const [model, op, ids] of scenarios) {
    it(`${model} × ${op} → ${ids.length} offerings`, () => expect(offeringsFor(catalog, model, op).map((o) => o.offering_id)).toEqual(ids))
  }
})

describe('ratesPer1mMicros', () => {
  const byId = (id: string) => catalog.offerings.find((o) => o.offering_id === id)!
  const scenarios: Array<[string, { input: number; output: number; cachedInput: number }]> = [
    ['openai-batch-gpt-4o-mini', { input: 75_000, output: 300_000, cachedInput: 37_500 }],
    ['openai-batch-gpt-4.1-mini', { input: 200_000, output: 800_000, cachedInput: 200_000 }],
    ['anthropic-batch-claude-sonnet-4-5', { input: 1_500_000, output: 7_500_000, cachedInput: 1_500_000 }],
    ['openai-batch-text-embedding-3-small', { input: 10_000, output: 0, cachedInput: 10_000 }],
    ['edge-nomic-embed-text', { input: 4_000, output: 0, cachedInput: 4_000 }],
  ]
  for (const [id, rates] of scenarios) it(`${id} → ${JSON.stringify(rates)}`, () => expect(ratesPer1mMicros(byId(id))).toEqual(rates))

  it('parses every default offering’s prices', () => {
    for (const o of catalog.offerings) expect(Object.values(ratesPer1mMicros(o)).every((n) => Number.isSafeInteger(n) && n >= 0)).toBe(true)
  })

  it('throws on a malformed price', () => {
    expect(() => ratesPer1mMicros({ ...byId('openai-batch-gpt-4o'), input_per_1m: '1e3' })).toThrow(/malformed input_per_1m/)
  })
})

describe('maxInputTokens', () => {
  const model = (over: Partial<CatalogModel>): CatalogModel => ({ ...catalog.models[0]!, ...over })
  const scenarios: Array<[string, Partial<CatalogModel>, number]> = [
    ['keeps room for the full output', { context_window: 128_000, max_output_tokens: 16_384 }, 111_616],
    ['floors at 0', { context_window: 4096, max_output_tokens: 8192 }, 0],
    ['gives embeddings the whole window', { operations: ['embeddings'], context_window: 8191, max_output_tokens: 0 }, 8191],
    ['treats a mixed model as generative', { operations: ['embeddings', 'responses'], context_window: 8192, max_output_tokens: 1024 }, 7168],
  ]
  for (const [name, over, expected] of scenarios) it(name, () => expect(maxInputTokens(model(over))).toBe(expected))
})

describe('provider availability', () => {
  const provider = (over: Partial<CatalogProvider>): CatalogProvider => ({ id: 'p', display_name: 'P', kind: 'openai-batch', ...over })
  const scenarios: Array<[string, Partial<CatalogProvider>, Record<string, string>, boolean]> = [
    ['no base URL', {}, {}, false],
    ['no base URL even with the key set', { api_key_env: 'K' }, { K: 'x' }, false],
    ['base URL, no key needed', { base_url: 'http://x/v1' }, {}, true],
    ['base URL, key env unset', { base_url: 'http://x/v1', api_key_env: 'K' }, {}, false],
    ['base URL, key env empty', { base_url: 'http://x/v1', api_key_env: 'K' }, { K: '' }, false],
    ['base URL, key env set', { base_url: 'http://x/v1', api_key_env: 'K' }, { K: 'sk-1' }, true],
  ]
  for (const [name, over, env, expected] of scenarios) it(`${name} → ${expected}`, () => expect(isProviderConfigured(provider(over), env)).toBe(expected))

  it('makes every offering available once wired to the simulator (demo mode)', () => {
    const wired = wireCatalogToSimulator(catalog, 'http://127.0.0.1:1/_sim/upstream/v1')
    expect(catalog.offerings.every((o) => isOfferingAvailable(wired, o, {}))).toBe(true)
    const body = presentCatalogModels(wired, listCatalogModels(wired, {}), {})
    expect(body.data.flatMap((m) => m.provider_offerings).every((o) => o.available && o.capacity.status === 'available')).toBe(true)
  })

  it('is false for an offering whose provider is missing', () => {
    const orphan: CatalogOffering = { ...catalog.offerings[0]!, provider: 'ghost' }
    expect(isOfferingAvailable(catalog, orphan, {})).toBe(false)
  })
})

describe('buildCatalog', () => {
  const offering = catalog.offerings[0]!
  const scenarios: Array<[string, Parameters<typeof buildCatalog>[0], RegExp]> = [
    ['an offering naming an unknown model', { offerings: [{ ...offering, offering_id: 'x', model: 'ghost' }] }, /unknown model 'ghost'/],
    ['an offering naming an unknown provider', { offerings: [{ ...offering, offering_id: 'x', provider: 'ghost' }] }, /unknown provider 'ghost'/],
    ['an incomplete new provider', { providers: [{ id: 'new' }] }, /'new' is incomplete/],
    ['an alias equal to another model’s slug', { models: [{ ...catalog.models[0]!, slug: 'x', aliases: ['gpt-4o'] }] }, /'gpt-4o' is used by both/],
    ['an alias shared by two models', { models: [{ ...catalog.models[0]!, slug: 'x', aliases: ['gpt-4o-mini-2024-07-18'] }] }, /used by both 'gpt-4o-mini' and 'x'/],
    ['a pricing date that is not a date', { pricing_updated_at: 'yesterday' }, /pricing_updated_at/],
  ]
  for (const [name, overrides, error] of scenarios) it(`throws for ${name}`, () => expect(() => buildCatalog(overrides)).toThrow(error))

  it('builds the defaults with unique names and at least one offering per model', () => {
    const names = catalog.models.flatMap((m) => [m.slug, ...m.aliases])
    expect(new Set(names).size).toBe(names.length)
    for (const m of catalog.models) expect(catalog.offerings.some((o) => o.model === m.slug)).toBe(true)
  })

  it('does not mutate the defaults when overriding', () => {
    const before = JSON.stringify(buildCatalog())
    buildCatalog({ providers: [{ id: 'openai', base_url: 'http://x' }], remove_offerings: ['openai-batch-gpt-4o'] })
    expect(JSON.stringify(buildCatalog())).toBe(before)
  })

  it('normalizes the pricing date to ISO-8601 with milliseconds', () => {
    const built: Catalog = buildCatalog({ pricing_updated_at: '2026-09-01' })
    expect(built.pricingUpdatedAt).toBe('2026-09-01T00:00:00.000Z')
  })
})
