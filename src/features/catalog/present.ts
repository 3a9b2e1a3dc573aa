/**
 * Catalog rows → wire objects (contract §6, §8). The one place where catalog entries, config fees
 * and SLA factors become the JSON the API answers.
 */
import type { Config } from '../../config'
import { formatMicros, parseMicros } from '../../lib/money'
import type { Catalog, CatalogModelObject, CatalogModelsResponse, CatalogOffering, FeesResponse, OfferingObject, OpenAiModelObject } from './models'
import { isOfferingAvailable, maxInputTokens, type ListedModel } from './service'
import { ratesPer1mMicros, slaFactor } from './pricing'

type Env = Record<string, string | undefined>

/** One offering as listed under a model; `available` follows the provider's configuration. */
export function presentOffering(catalog: Catalog, offering: CatalogOffering, env?: Env): OfferingObject {
  const rates = ratesPer1mMicros(offering)
  const available = isOfferingAvailable(catalog, offering, env)
  return {
    offering_id: offering.offering_id,
    provider: offering.provider,
    lane_kind: offering.lane_kind,
    pricing: {
      currency: 'usd',
      input_per_1m: formatMicros(rates.input),
      output_per_1m: formatMicros(rates.output),
      cached_input_per_1m: offering.cached_input_per_1m === undefined ? null : formatMicros(rates.cachedInput),
    },
    capacity: { max_batch_items: offering.max_batch_items, status: available ? 'available' : 'unavailable' },
    regions: [...offering.regions],
    retention: { zdr: offering.retention.zdr, days: offering.retention.days },
    privacy_tiers: [...offering.privacy_tiers],
    hosted_tools: [...offering.hosted_tools],
    turnaround_seconds: offering.turnaround_seconds,
    available,
  }
}

/** The `GET /v1/catalog/models` body for an already filtered list. */
export function presentCatalogModels(catalog: Catalog, listed: readonly ListedModel[], env?: Env): CatalogModelsResponse {
  const data: CatalogModelObject[] = listed.map(({ model, offerings }) => ({
    slug: model.slug,
    display_name: model.display_name,
    provider: model.provider,
    aliases: [...model.aliases],
    operations: [...model.operations],
    context_window: model.context_window,
    max_input_tokens: maxInputTokens(model),
    max_output_tokens: model.max_output_tokens,
    provider_offerings: offerings.map((o) => presentOffering(catalog, o, env)),
  }))
  const providers = new Set(listed.flatMap((l) => l.offerings.map((o) => o.provider)))
  return { data, provider_count: providers.size, pricing_updated_at: catalog.pricingUpdatedAt }
}

/** Unix seconds of the catalog's pricing date: the `created` of every OpenAI model entry. */
export function catalogCreatedAt(catalog: Catalog): number {
  return Math.floor(Date.parse(catalog.pricingUpdatedAt) / 1000)
}

/** The OpenAI model list: each model's slug, then each of its aliases as an entry of its own. */
export function presentOpenAiModels(catalog: Catalog): OpenAiModelObject[] {
  const created = catalogCreatedAt(catalog)
  return catalog.models.flatMap((m) => [m.slug, ...m.aliases].map((id) => ({ id, object: 'model' as const, created, owned_by: m.provider })))
}

/** The public fee schedule: config fees and discounts, SLA factors, dated with the catalog pricing. */
export function presentFees(fees: Config['fees'], catalog: Catalog): FeesResponse {
  return {
    currency: 'usd',
    batch_fee_bps: fees.batchFeeBps,
    // The config schema's pattern guarantees this parses.
    minimum_charge: formatMicros(parseMicros(fees.minimumCharge) ?? 0),
    discounts: fees.discounts.map((d) => ({ provider: d.provider, bps: d.bps, reason: d.reason })),
    sla_multipliers: {
      standard: slaFactor(fees.slaMultiplierBps.standard),
      flex: slaFactor(fees.slaMultiplierBps.flex),
      priority: slaFactor(fees.slaMultiplierBps.priority),
    },
    updated_at: catalog.pricingUpdatedAt,
  }
}
