/**
 * Builds the effective catalog: the embedded defaults, then the operator's overrides (entries
 * with the same key replace defaults), then — in demo mode — every provider pointed at the
 * in-process simulator.
 */
import { Value } from '@sinclair/typebox/value'
import type { Catalog, CatalogOverrides, CatalogProvider } from './models'
import { CatalogModel, CatalogOffering, CatalogProvider as ProviderSchema } from './models'
import { DEFAULT_CATALOG } from './default-catalog'

function replaceByKey<T>(base: T[], extra: T[] | undefined, key: (t: T) => string): T[] {
  if (!extra) return base
  const map = new Map(base.map((b) => [key(b), b]))
  for (const e of extra) map.set(key(e), e)
  return [...map.values()]
}

/** Merges overrides onto the defaults; throws Error naming the bad entry when the result is inconsistent. */
export function buildCatalog(overrides?: CatalogOverrides): Catalog {
  const providers = (overrides?.providers ?? []).reduce<CatalogProvider[]>((acc, partial) => {
    const existing = acc.find((p) => p.id === partial.id)
    const merged = { ...(existing ?? {}), ...partial }
    if (!Value.Check(ProviderSchema, merged)) throw new Error(`catalog.providers: entry '${partial.id ?? '?'}' is incomplete (needs id, display_name, kind)`)
    return [...acc.filter((p) => p.id !== partial.id), merged as CatalogProvider]
  }, [...DEFAULT_CATALOG.providers])
  const models = replaceByKey(DEFAULT_CATALOG.models, overrides?.models?.map((m) => Value.Default(CatalogModel, structuredClone(m)) as typeof m), (m) => m.slug)
  const removed = new Set(overrides?.remove_offerings ?? [])
  const offerings = replaceByKey(DEFAULT_CATALOG.offerings, overrides?.offerings?.map((o) => Value.Default(CatalogOffering, structuredClone(o)) as typeof o), (o) => o.offering_id).filter((o) => !removed.has(o.offering_id))
  for (const o of offerings) {
    if (!models.some((m) => m.slug === o.model)) throw new Error(`catalog.offerings: '${o.offering_id}' names unknown model '${o.model}'`)
    if (!providers.some((p) => p.id === o.provider)) throw new Error(`catalog.offerings: '${o.offering_id}' names unknown provider '${o.provider}'`)
  }
  assertUniqueModelNames(models)
  return { models, providers, offerings, pricingUpdatedAt: normalizeDate(overrides?.pricing_updated_at ?? DEFAULT_CATALOG.pricingUpdatedAt) }
}

/** Slugs and aliases share one namespace (both are ids in /v1/models), so each name may appear once. */
function assertUniqueModelNames(models: readonly CatalogModel[]) {
  const owner = new Map<string, string>()
  for (const m of models) {
    for (const name of [m.slug, ...m.aliases]) {
      const previous = owner.get(name)
      if (previous !== undefined) throw new Error(`catalog.models: name '${name}' is used by both '${previous}' and '${m.slug}'`)
      owner.set(name, m.slug)
    }
  }
}

function normalizeDate(text: string): string {
  const ms = Date.parse(text)
  if (Number.isNaN(ms)) throw new Error(`catalog.pricing_updated_at: '${text}' is not an ISO-8601 date`)
  return new Date(ms).toISOString()
}

/**
 * Demo wiring: every provider points at the in-process simulator, so `make run` works offline
 * through the real adapter code. `simBaseUrl` is the simulator's OpenAI base (`…/_sim/upstream/v1`):
 * `openai-batch` providers use it as is (Files + Batch API), `anthropic-batches` providers its
 * root (Message Batches under `/v1/messages/batches`), and every other provider becomes an
 * `openai-compatible` host there. Credentials are replaced by a demo key the simulator accepts.
 */
export function wireCatalogToSimulator(catalog: Catalog, simBaseUrl: string): Catalog {
  const v1 = simBaseUrl.replace(/\/+$/, '')
  const root = v1.replace(/\/v1$/, '')
  return {
    ...catalog,
    providers: catalog.providers.map((p) => {
      const demo = { ...p, api_key_env: undefined, api_key: SIM_DEMO_KEY }
      if (p.kind === 'openai-batch') return { ...demo, base_url: v1 }
      if (p.kind === 'anthropic-batches') return { ...demo, base_url: root }
      return { ...demo, kind: 'openai-compatible' as const, base_url: v1 }
    }),
  }
}

/** The credential demo mode hands every provider (the simulator accepts any key). */
export const SIM_DEMO_KEY = 'sim-demo-key'
