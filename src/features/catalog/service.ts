/**
 * Catalog lookups shared with other features (quotes, routing, batches) and the filtering behind
 * `GET /v1/catalog/models`. Pure functions of a `Catalog` (plus the environment, for whether a
 * provider's credential is set); nothing here does I/O.
 */
import { parseMicros } from '../../lib/money'
import { isProviderConfigured } from './build'
import type { Catalog, CatalogModel, CatalogModelsQuery, CatalogOffering, CatalogProvider, Operation } from './models'

type Env = Record<string, string | undefined>

/**
 * SLA tier price factors in basis points of the provider subtotal (10_000 = ×1), as published by
 * GET /v1/pricing/fees. Every tier is ×1: a tier changes which lanes are eligible (flex may use
 * slower, cheaper lanes; priority only fast ones), not the price of a lane — and the fee schedule
 * must never advertise a factor that quotes and settlement do not apply.
 */
export const SLA_MULTIPLIER_BPS = { standard: 10_000, flex: 10_000, priority: 10_000 } as const
export type SlaTier = keyof typeof SLA_MULTIPLIER_BPS

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

/** Per-1M-token rates of an offering in micro-dollars, ready for lib/money `costOfTokens`. */
export interface RatesPer1m {
  input: number
  output: number
  /** The cached-input rate; the input rate when the offering names none (no cache discount). */
  cachedInput: number
}

/** An offering's rates in micro-dollars per 1M tokens; throws when a price string is malformed (the schema prevents it). */
export function ratesPer1mMicros(offering: CatalogOffering): RatesPer1m {
  const input = priceMicros(offering, 'input_per_1m', offering.input_per_1m)
  return {
    input,
    output: priceMicros(offering, 'output_per_1m', offering.output_per_1m),
    cachedInput: offering.cached_input_per_1m === undefined ? input : priceMicros(offering, 'cached_input_per_1m', offering.cached_input_per_1m),
  }
}

function priceMicros(offering: CatalogOffering, field: string, value: string): number {
  const micros = parseMicros(value)
  if (micros === null) throw new Error(`catalog: offering '${offering.offering_id}' has a malformed ${field} '${value}'`)
  return micros
}

/** The provider entry an offering runs on, if the catalog has it. */
export function providerOf(catalog: Catalog, offering: CatalogOffering): CatalogProvider | undefined {
  return catalog.providers.find((p) => p.id === offering.provider)
}

/** True when the offering's provider is configured, so work can be routed to it. */
export function isOfferingAvailable(catalog: Catalog, offering: CatalogOffering, env?: Env): boolean {
  const provider = providerOf(catalog, offering)
  return provider !== undefined && isProviderConfigured(provider, env)
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
