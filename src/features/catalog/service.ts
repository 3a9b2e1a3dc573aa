/**
 * Catalog lookups shared with other features (quotes, routing, batches) and the filtering behind
 * `GET /v1/catalog/models`. Pure functions of a `Catalog` (plus the environment, for whether a
 * provider's credential is set); nothing here does I/O.
 */
import type { Catalog, CatalogModel, CatalogModelsQuery, CatalogOffering, CatalogProvider, Operation } from './models'

type Env = Record<string, string | undefined>

/**
 * Offering ids of the fleet's edge lanes (`edge:<model>:<tier>:<region>`, contract §11). They are
 * added to the effective catalog only while a node serves them, so one that is listed is live.
 */
export const FLEET_OFFERING_PREFIX = 'edge:'

/** Work can run on the offering: its provider is configured, or it is a fleet lane (present only while a node serves it). */
function isLive(offering: CatalogOffering, provider: CatalogProvider, env?: Env): boolean {
  return isProviderConfigured(provider, env) || (provider.kind === 'edge' && offering.offering_id.startsWith(FLEET_OFFERING_PREFIX))
}

/** The model named by `slugOrAlias` (exact, case-sensitive); a slug wins over another model's alias. */
export function findModel(catalog: Catalog, slugOrAlias: string): CatalogModel | undefined {
  return catalog.models.find((m) => m.slug === slugOrAlias) ?? catalog.models.find((m) => m.aliases.includes(slugOrAlias))
}

/**
 * Every offering of the model (slug or alias) when the model supports `operation`, in catalog
 * order; empty for an unknown model or operation. Availability is not filtered here: routing
 * reports an unconfigured provider as `provider_unavailable`.
 */
export function offeringsFor(catalog: Catalog, slugOrAlias: string, operation: Operation | string): CatalogOffering[] {
  const model = findModel(catalog, slugOrAlias)
  if (!model || !(model.operations as readonly string[]).includes(operation)) return []
  return catalog.offerings.filter((o) => o.model === model.slug)
}

/** The provider entry an offering runs on, if the catalog has it. */
export function providerOf(catalog: Catalog, offering: CatalogOffering): CatalogProvider | undefined {
  return catalog.providers.find((p) => p.id === offering.provider)
}

/** An offering with the provider it runs on. */
export interface LiveOffering {
  offering: CatalogOffering
  provider: CatalogProvider
}

/**
 * The catalog's one offering → provider lookup: `offeringId` with its provider when that provider
 * is configured (work can run on it), else null. Runners add the adapter on top (dispatch/targets).
 */
export function liveOffering(catalog: Catalog, offeringId: string, env?: Env): LiveOffering | null {
  const offering = catalog.offerings.find((o) => o.offering_id === offeringId)
  const provider = offering && providerOf(catalog, offering)
  return offering && provider && isLive(offering, provider, env) ? { offering, provider } : null
}

/** Every offering whose provider is configured, in catalog order, with its provider. */
export function liveOfferings(catalog: Catalog, env?: Env): LiveOffering[] {
  return catalog.offerings.flatMap((offering) => {
    const provider = providerOf(catalog, offering)
    return provider && isLive(offering, provider, env) ? [{ offering, provider }] : []
  })
}

/** True when the offering's provider is configured, so work can be routed to it. */
export function isOfferingAvailable(catalog: Catalog, offering: CatalogOffering, env?: Env): boolean {
  const provider = providerOf(catalog, offering)
  return provider !== undefined && isLive(offering, provider, env)
}

/**
 * Largest input that still leaves room for the model's full `max_output_tokens`, floor 0. An
 * embedding-only model produces no tokens, so its whole context window is input.
 */
export function maxInputTokens(model: CatalogModel): number {
  if (model.operations.every((op) => op === 'embeddings')) return model.context_window
  return Math.max(0, model.context_window - model.max_output_tokens)
}

/** A model with the offerings that survived the filters. */
export interface ListedModel {
  model: CatalogModel
  offerings: CatalogOffering[]
}

/**
 * The catalog filtered as `GET /v1/catalog/models` describes: `operation` keeps models that
 * support it; `provider` and `hosted_tool` keep matching offerings and drop models left with none.
 * Without an offering filter, a model with no offerings is still listed (with none).
 */
export function listCatalogModels(catalog: Catalog, query: CatalogModelsQuery): ListedModel[] {
  const offeringFilter = query.provider !== undefined || query.hosted_tool !== undefined
  const listed: ListedModel[] = []
  for (const model of catalog.models) {
    if (query.operation !== undefined && !(model.operations as readonly string[]).includes(query.operation)) continue
    const offerings = catalog.offerings.filter(
      (o) => o.model === model.slug && (query.provider === undefined || o.provider === query.provider) && (query.hosted_tool === undefined || o.hosted_tools.includes(query.hosted_tool)),
    )
    if (offeringFilter && offerings.length === 0) continue
    listed.push({ model, offerings })
  }
  return listed
}

/** The provider's credential: its env var when set and non-empty, else the config file's `api_key`. */
export function providerCredential(provider: CatalogProvider, env: Record<string, string | undefined> = process.env): string | undefined {
  const fromEnv = provider.api_key_env ? env[provider.api_key_env] : undefined
  return fromEnv ? fromEnv : provider.api_key
}

/**
 * True when an adapter can reach the provider: it has a base URL and, if it names a credential
 * (env var or config `api_key`), that credential is present.
 */
export function isProviderConfigured(provider: CatalogProvider, env: Record<string, string | undefined> = process.env): boolean {
  if (!provider.base_url) return false
  if (!provider.api_key_env && !provider.api_key) return true
  return Boolean(providerCredential(provider, env))
}
