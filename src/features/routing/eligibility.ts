/**
 * The hard filters of lane selection, in the order they are reported: every policy filter first
 * (privacy among them, failing closed: an offering that does not qualify for the tier is out,
 * whatever else it offers), then the two transient ones — provider_unavailable and capacity_full —
 * so that a lane rejected for a transient reason is known to pass every policy filter.
 */
import { formatMicros } from '../../lib/money'
import type { CatalogModel, CatalogOffering } from '../../catalog-schema'
import { formatDuration } from './observed'
import type { LaneDemand, LanePrice, OfferingState, RoutingPolicy } from './types'
import type { PrivacyTier, RejectionCode } from './vocabulary'

export interface Rejection {
  code: RejectionCode
  reason: string
}

/** Everything a filter may look at for one offering. */
export interface EligibilityInput {
  demand: LaneDemand
  state: OfferingState
  policy: RoutingPolicy
  /** The model the offering serves (one of the demand's acceptable models). */
  model: CatalogModel
  /** The whole demand priced on this offering. */
  price: LanePrice
  /** Expected seconds to finish (observed or catalog). */
  expectedSeconds: number
}

type Check = (x: EligibilityInput) => Rejection | null

const CHECKS: Check[] = [
  ({ demand, model }) => (model.operations.includes(demand.operation) ? null : { code: 'operation_unsupported', reason: `${model.slug} does not do ${demand.operation}.` }),
  ({ state, policy }) => preferenceRejection(state.offering, policy),
  ({ state, policy }) => routingModeRejection(state.offering, policy),
  ({ state, policy }) => privacyRejection(state.offering, policy.privacyTier),
  ({ state, policy }) => regionRejection(state.offering, policy),
  ({ demand, state }) => (demand.needsTools && !state.offering.supports_tools ? { code: 'tool_support', reason: `Items use function tools, which ${state.offering.offering_id} does not accept.` } : null),
  translationRejection,
  ({ demand, model }) => (demand.maxItemTokens > model.context_window ? { code: 'context_window_exceeded', reason: `An item needs ~${demand.maxItemTokens} tokens; ${model.slug} holds ${model.context_window}.` } : null),
  slaRejection,
  ({ policy, price }) =>
    policy.maxPriceMicros !== undefined && price.total > policy.maxPriceMicros
      ? { code: 'price_above_max', reason: `Costs ${formatMicros(price.total)} USD for this group; max_price is ${formatMicros(policy.maxPriceMicros)} USD.` }
      : null,
  ({ state }) => availabilityRejection(state),
  ({ state }) => (state.capacityLeft > 0 ? null : { code: 'capacity_full', reason: `${state.offering.offering_id} has no room left: running batches hold ${state.heldItems ?? 'all'} of its items.` }),
]

function preferenceRejection(o: CatalogOffering, p: RoutingPolicy): Rejection | null {
  if (p.only && p.only.length > 0 && !p.only.includes(o.provider)) return { code: 'provider_excluded', reason: `provider_preferences.only does not include ${o.provider}.` }
  if (!p.allowFallbacks && p.order && p.order.length > 0 && !p.order.includes(o.provider)) {
    return { code: 'provider_excluded', reason: `allow_fallbacks is false and provider_preferences.order does not list ${o.provider}.` }
  }
  if (p.zdr && !o.retention.zdr) return { code: 'provider_excluded', reason: `provider_preferences.zdr requires zero data retention; ${o.provider} retains data ${o.retention.days} days.` }
  return null
}

function routingModeRejection(o: CatalogOffering, p: RoutingPolicy): Rejection | null {
  if (p.routingMode === 'public_only' && o.lane_kind === 'edge') return { code: 'routing_mode_excluded', reason: 'routing_mode public_only excludes edge lanes.' }
  if (p.routingMode === 'edge_only' && o.lane_kind === 'public') return { code: 'routing_mode_excluded', reason: 'routing_mode edge_only excludes public lanes.' }
  if (p.routingMode === 'privacy_constrained' && o.lane_kind === 'public' && !o.retention.zdr) return { code: 'routing_mode_excluded', reason: `routing_mode privacy_constrained allows only zero-retention public lanes; ${o.provider} retains data ${o.retention.days} days.` }
  return null
}

/**
 * The privacy hard filter on its own, so callers can re-check a lane before dispatching to it:
 * restricted → only edge lanes enrolled as restricted; confidential → only zero-retention lanes
 * (public providers with ZDR, or edge nodes, which declare zero retention); every tier → the
 * offering must list the tier.
 */
export function privacyRejection(o: CatalogOffering, tier: PrivacyTier): Rejection | null {
  if (tier === 'restricted' && (o.lane_kind !== 'edge' || !o.privacy_tiers.includes('restricted'))) {
    return { code: 'privacy_tier_mismatch', reason: o.lane_kind === 'edge' ? `Restricted work runs only on edge nodes enrolled as restricted; ${o.offering_id} is not.` : 'Restricted work runs only on edge nodes enrolled as restricted, never on a public lane.' }
  }
  // Edge nodes qualify too, but only when they declare zero retention: a retaining lane never sees confidential work.
  if (tier === 'confidential' && !o.retention.zdr) {
    return { code: 'privacy_tier_mismatch', reason: `Confidential work needs zero data retention; ${o.offering_id} retains data ${o.retention.days} days.` }
  }
  if (!o.privacy_tiers.includes(tier)) return { code: 'privacy_tier_mismatch', reason: `${o.offering_id} is not enrolled for ${tier} data.` }
  return null
}

/** Regions: any overlap with allowed_regions; under privacy_constrained every region must be allowed. */
function regionRejection(o: CatalogOffering, p: RoutingPolicy): Rejection | null {
  const allowed = p.allowedRegions
  if (!allowed || allowed.length === 0) return null
  const strict = p.routingMode === 'privacy_constrained'
  const ok = strict ? o.regions.length > 0 && o.regions.every((r) => allowed.includes(r)) : o.regions.some((r) => allowed.includes(r))
  if (ok) return null
  return { code: 'region_not_allowed', reason: `Runs in ${o.regions.join(', ') || 'no declared region'}; allowed_regions is ${allowed.join(', ')}${strict ? ' and privacy_constrained needs every region allowed' : ''}.` }
}

function slaRejection({ state, policy, expectedSeconds }: EligibilityInput): Rejection | null {
  const slaAware = policy.routingMode === 'sla_aware'
  const limit = slaAware ? policy.slaSeconds / 2 : policy.slaSeconds
  if (expectedSeconds <= limit) return null
  const basis = state.observed && expectedSeconds !== state.offering.turnaround_seconds ? `observed over ${state.observed.lanes} lanes` : 'catalog figure'
  const need = slaAware ? `sla_aware needs completion within half of the ${formatDuration(policy.slaSeconds)} left` : `only ${formatDuration(policy.slaSeconds)} are left before the deadline`
  return { code: 'sla_unachievable', reason: `Expected to take ${formatDuration(expectedSeconds)} (${basis}); ${need}.` }
}

/**
 * Lanes that translate the chat body into another dialect (Anthropic Message Batches) refuse items
 * ingest found untranslatable — at quote time, never as a run-time failure.
 */
function translationRejection({ demand, state }: EligibilityInput): Rejection | null {
  if (!demand.untranslatable || state.providerKind !== 'anthropic-batches') return null
  const [code, ...feature] = demand.untranslatable.split(':')
  const what = feature.join(':') || 'a chat feature'
  return { code: code === 'tool_support' ? 'tool_support' : 'operation_unsupported', reason: `Items use ${what}, which cannot be translated for Anthropic Message Batches; ${state.offering.offering_id} cannot run them.` }
}

function availabilityRejection(s: OfferingState): Rejection | null {
  if (!s.available && s.offering.lane_kind === 'edge') return { code: 'provider_unavailable', reason: `No edge node serving ${s.offering.offering_id} is online; work for it waits until one is.` }
  if (!s.available) return { code: 'provider_unavailable', reason: `Provider ${s.offering.provider} is not configured on this router (no endpoint or credential); the operator must configure it before work can run there.` }
  if (s.circuit === 'open') return { code: 'provider_unavailable', reason: `Provider ${s.offering.provider} is failing; its circuit is open until it recovers.` }
  return null
}

/** The first filter the offering fails for this demand and policy, or null when eligible. */
export function checkEligibility(input: EligibilityInput): Rejection | null {
  for (const check of CHECKS) {
    const rejection = check(input)
    if (rejection) return rejection
  }
  return null
}
