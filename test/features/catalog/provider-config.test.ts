/** Provider configuration: credentials from an env var or the config file, and the demo wiring per dialect. */
import { describe, expect, it } from 'bun:test'
import { buildCatalog, isProviderConfigured, providerCredential, SIM_DEMO_KEY, wireCatalogToSimulator } from '../../../src/features/catalog'
import type { CatalogProvider } from '../../../src/features/catalog/models'

const provider = (over: Partial<CatalogProvider>): CatalogProvider => ({ id: 'p', display_name: 'P', kind: 'openai-batch', base_url: 'https://x/v1', ...over })

describe('provider credentials', () => {
  const cases: Array<[string, Partial<CatalogProvider>, Record<string, string>, string | undefined, boolean]> = [
    ['env var set', { api_key_env: 'K' }, { K: 'sk-env' }, 'sk-env', true],
    ['config-file key', { api_key: 'sk-file' }, {}, 'sk-file', true],
    ['env var wins over the config file', { api_key_env: 'K', api_key: 'sk-file' }, { K: 'sk-env' }, 'sk-env', true],
    ['empty env var falls back to the config file', { api_key_env: 'K', api_key: 'sk-file' }, { K: '' }, 'sk-file', true],
    ['env var named but unset, no file key → not configured', { api_key_env: 'K' }, {}, undefined, false],
    ['no credential named (a local host) → configured', {}, {}, undefined, true],
    ['a key but no base URL → not configured', { base_url: undefined, api_key: 'sk' }, {}, 'sk', false],
  ]
  for (const [name, over, env, credential, configured] of cases) {
    it(name, () => {
      expect(providerCredential(provider(over), env)).toBe(credential)
      expect(isProviderConfigured(provider(over), env)).toBe(configured)
    })
  }

  it('ships OpenAI and Anthropic with their public base URLs, live once their env credential is set', () => {
    const catalog = buildCatalog()
    const openai = catalog.providers.find((p) => p.id === 'openai')!
    const anthropic = catalog.providers.find((p) => p.id === 'anthropic')!
    expect(openai).toMatchObject({ kind: 'openai-batch', base_url: 'https://api.openai.com/v1', api_key_env: 'OPENAI_API_KEY' })
    expect(anthropic).toMatchObject({ kind: 'anthropic-batches', base_url: 'https://api.anthropic.com', api_key_env: 'ANTHROPIC_API_KEY' })
    expect(isProviderConfigured(openai, {})).toBe(false)
    expect(isProviderConfigured(openai, { OPENAI_API_KEY: 'sk-live' })).toBe(true)
  })
})

describe('wireCatalogToSimulator (demo)', () => {
  it('points each batch dialect at its simulator base URL and every other provider at the OpenAI-compatible one', () => {
    const wired = wireCatalogToSimulator(buildCatalog(), 'http://127.0.0.1:9/_sim/upstream/v1')
    const byId = Object.fromEntries(wired.providers.map((p) => [p.id, p]))
    expect(byId.openai).toMatchObject({ kind: 'openai-batch', base_url: 'http://127.0.0.1:9/_sim/upstream/v1', api_key: SIM_DEMO_KEY, api_key_env: undefined })
    expect(byId.anthropic).toMatchObject({ kind: 'anthropic-batches', base_url: 'http://127.0.0.1:9/_sim/upstream', api_key: SIM_DEMO_KEY })
    expect(byId.openhost).toMatchObject({ kind: 'openai-compatible', base_url: 'http://127.0.0.1:9/_sim/upstream/v1' })
    expect(byId.edge).toMatchObject({ kind: 'openai-compatible', base_url: 'http://127.0.0.1:9/_sim/upstream/v1' })
    for (const p of wired.providers) expect(isProviderConfigured(p, {})).toBe(true)
  })
})
