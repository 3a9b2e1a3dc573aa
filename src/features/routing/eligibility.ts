/**
 * The hard filters of lane selection, in the order they are reported. Privacy is checked before
 * anything about price or capacity, and fails closed: an offering that does not list the tier is
 * out, whatever else it offers.
 */
import type { LaneDemand, OfferingState, RoutingPolicy } from './types'
import type { RejectionCode } from './vocabulary'

export interface Rejection {
  code: RejectionCode
  reason: string
}

type Check = (d: LaneDemand, s: OfferingState, p: RoutingPolicy) => Rejection | null

const CHECKS: Check[] = [
  (d, s) => (d.model.operations.includes(d.operation) ? null : { code: 'operation_unsupported', reason: `${d.model.slug} does not do ${d.operation}.` }),
  (d, s) => (s.available ? null : { code: 'provider_unavailable', reason: `Provider ${s.offering.provider} is not configured or not healthy.` }),
  (_d, s, p) => (p.only && p.only.length > 0 && !p.only.includes(s.offering.provider) ? { code: 'provider_excluded', reason: `provider_preferences.only does not include ${s.offering.provider}.` } : null),
  (_d, s, p) => (p.zdr && !s.offering.retention.zdr ? { code: 'provider_excluded', reason: `provider_preferences.zdr requires zero data retention; ${s.offering.provider} retains data ${s.offering.retention.days} days.` } : null),
  (_d, s, p) => routingModeRejection(s, p),
  (_d, s, p) => privacyRejection(s, p),
  (_d, s, p) => {
    if (!p.allowedRegions || p.allowedRegions.length === 0) return null
    return s.offering.regions.some((r) => p.allowedRegions!.includes(r)) ? null : { code: 'region_not_allowed', reason: `Runs in ${s.offering.regions.join(', ')}; allowed_regions is ${p.allowedRegions.join(', ')}.` }
  },
  (d, s) => (d.needsTools && !s.offering.supports_tools ? { code: 'tool_support', reason: `Items use function tools, which ${s.offering.offering_id} does not accept.` } : null),
  (d) => (d.maxItemTokens > d.model.context_window ? { code: 'context_window_exceeded', reason: `An item needs ~${d.maxItemTokens} tokens; ${d.model.slug} holds ${d.model.context_window}.` } : null),
  (_d, s, p) => {
    const needed = p.routingMode === 'sla_aware' ? s.offering.turnaround_seconds * 2 : s.offering.turnaround_seconds
    return needed > p.slaSeconds ? { code: 'sla_unachievable', reason: `Expected turnaround ${s.offering.turnaround_seconds}s${p.routingMode === 'sla_aware' ? ' (with sla_aware headroom ×2)' : ''} does not fit the ${p.slaSeconds}s deadline.` } : null
  },
  (_d, s) => (s.capacityLeft > 0 ? null : { code: 'capacity_full', reason: `${s.offering.offering_id} has no capacity left.` }),
]

function routingModeRejection(s: OfferingState, p: RoutingPolicy): Rejection | null {
  const kind = s.offering.lane_kind
  if (p.routingMode === 'public_only' && kind === 'edge') return { code: 'routing_mode_excluded', reason: 'routing_mode public_only excludes edge lanes.' }
  if (p.routingMode === 'edge_only' && kind === 'public') return { code: 'routing_mode_excluded', reason: 'routing_mode edge_only excludes public lanes.' }
  if (p.routingMode === 'privacy_constrained' && kind === 'public' && !s.offering.retention.zdr) return { code: 'routing_mode_excluded', reason: 'routing_mode privacy_constrained allows only zero-retention public lanes.' }
  return null
}

function privacyRejection(s: OfferingState, p: RoutingPolicy): Rejection | null {
  const o = s.offering
  if (p.privacyTier === 'restricted' && (o.lane_kind !== 'edge' || !o.privacy_tiers.includes('restricted'))) {
    return { code: 'privacy_tier_mismatch', reason: 'Restricted work runs only on edge nodes enrolled as restricted.' }
  }
  if (p.privacyTier === 'confidential' && !(o.lane_kind === 'edge' || o.retention.zdr)) {
    return { code: 'privacy_tier_mismatch', reason: `Confidential work needs zero data retention; ${o.provider} retains data ${o.retention.days} days.` }
  }
  if (!o.privacy_tiers.includes(p.privacyTier)) return { code: 'privacy_tier_mismatch', reason: `${o.offering_id} is not enrolled for ${p.privacyTier} data.` }
  return null
}

/** The first hard filter the offering fails for this demand and policy, or null when eligible. */
export function checkEligibility(demand: LaneDemand, state: OfferingState, policy: RoutingPolicy): Rejection | null {
  for (const check of CHECKS) {
    const rejection = check(demand, state, policy)
    if (rejection) return rejection
  }
  return null
}
