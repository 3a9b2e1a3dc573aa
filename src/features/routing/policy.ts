/** Turns request fields into a RoutingPolicy; the SLA deadline comes from the tier and config. */
import type { Config } from '../../config'
import { parseMicros } from '../../lib/money'
import type { Catalog } from '../../catalog-schema'
import type { RoutingPolicy } from './types'
import type { PrivacyTier, RoutingMode, SlaTier } from './vocabulary'

export interface RoutingRequestFields {
  routing_mode?: RoutingMode
  sla_tier?: SlaTier
  privacy_tier?: PrivacyTier
  allowed_regions?: string[]
  provider_preferences?: { only?: string[]; order?: string[]; allow_fallbacks?: boolean; zdr?: boolean }
  max_price?: string | { currency?: string; amount: string }
  models?: string[]
}

/** Seconds from creation to the SLA deadline for a tier. */
export function slaSecondsFor(config: Config, tier: SlaTier): number {
  return tier === 'flex' ? config.sla.flexSeconds : tier === 'priority' ? config.sla.prioritySeconds : config.sla.standardSeconds
}

/**
 * The policy with defaults applied (cheapest, standard, standard, fallbacks allowed). Pass the
 * catalog to resolve `models` entries given as aliases to slugs (unknown entries are dropped;
 * `modelsListProblems` reports them).
 */
export function policyFromRequest(config: Config, f: RoutingRequestFields, catalog?: Catalog): RoutingPolicy & { slaTier: SlaTier } {
  const slaTier = f.sla_tier ?? 'standard'
  const maxPrice = f.max_price === undefined ? undefined : parseMicros(typeof f.max_price === 'string' ? f.max_price : f.max_price.amount) ?? undefined
  return {
    routingMode: f.routing_mode ?? 'cheapest',
    privacyTier: f.privacy_tier ?? 'standard',
    slaTier,
    slaSeconds: slaSecondsFor(config, slaTier),
    allowedRegions: f.allowed_regions,
    only: f.provider_preferences?.only,
    order: f.provider_preferences?.order,
    allowFallbacks: f.provider_preferences?.allow_fallbacks ?? true,
    zdr: f.provider_preferences?.zdr,
    maxPriceMicros: maxPrice,
    ...(f.models && f.models.length > 0 ? { models: resolveModels(f.models, catalog) } : {}),
  }
}

function resolveModels(models: string[], catalog: Catalog | undefined): string[] {
  const slugs = models.map((name) => (catalog ? (catalog.models.find((m) => m.slug === name) ?? catalog.models.find((m) => m.aliases.includes(name)))?.slug : name))
  return slugs.filter((s, i): s is string => s !== undefined && slugs.indexOf(s) === i)
}

/** Preflight problems of a `models` list: every entry must be a catalog slug or alias. */
export function modelsListProblems(catalog: Catalog, models: string[] | undefined): { line: null; item: null; code: string; param: string; message: string }[] {
  return (models ?? []).flatMap((name, i) =>
    catalog.models.some((m) => m.slug === name || m.aliases.includes(name))
      ? []
      : [{ line: null, item: null, code: 'unknown_model', param: `models[${i}]`, message: `models[${i}] '${name}' is not a catalog model; GET /v1/catalog/models lists them.` }],
  )
}
