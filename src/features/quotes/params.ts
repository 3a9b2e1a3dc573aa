/** The routing parameters a quote fixes; a batch citing the quote must send the same ones. */
import { canonicalJson, sha256Hex } from '../../lib/crypto'
import type { RoutingPolicy } from '../routing/index'

/** The normalized routing parameters a quote stores (column `params`). */
export type RoutingParams = ReturnType<typeof routingParams>['params']

/** Normalized routing parameters (defaults applied) and their fingerprint. */
export function routingParams(policy: RoutingPolicy & { slaTier: string }) {
  const params = {
    routing_mode: policy.routingMode,
    sla_tier: policy.slaTier,
    privacy_tier: policy.privacyTier,
    allowed_regions: policy.allowedRegions ? [...policy.allowedRegions].sort() : null,
    only: policy.only ?? null,
    order: policy.order ?? null,
    allow_fallbacks: policy.allowFallbacks,
    zdr: policy.zdr ?? null,
    max_price: policy.maxPriceMicros ?? null,
    models: policy.models ?? null,
  }
  return { params, hash: sha256Hex(canonicalJson(params)) }
}

/** Names of the parameters that differ between two normalized sets. */
export function differingParams(a: RoutingParams, b: RoutingParams): string[] {
  return (Object.keys(a) as Array<keyof RoutingParams>).filter((k) => canonicalJson(a[k]) !== canonicalJson(b[k]))
}
