/** The routing vocabulary (contract §4, §8): closed sets with who sets each member and why. */

export const ROUTING_MODES = [
  'cheapest', // lowest total among eligible lanes
  'sla_aware', // only lanes expected to finish well inside the deadline
  'public_only', // never edge lanes
  'edge_only', // only edge lanes
  'hybrid', // edge lanes first up to capacity, overflow to public
  'privacy_constrained', // only zero-retention public lanes and edge lanes, regions strict
] as const
export type RoutingMode = (typeof ROUTING_MODES)[number]

export const PRIVACY_TIERS = [
  'standard', // any lane
  'confidential', // zero-retention lanes only: ZDR providers or edge nodes (that declare zero retention)
  'restricted', // edge nodes enrolled as restricted only
] as const
export type PrivacyTier = (typeof PRIVACY_TIERS)[number]

export const SLA_TIERS = [
  'standard', // 24 h deadline by default
  'flex', // 48 h: may use slower, cheaper lanes
  'priority', // 1 h
] as const
export type SlaTier = (typeof SLA_TIERS)[number]

/**
 * Why a candidate lane was not selected; set by selectLanes, shown in quotes and receipts. A lane
 * gets the first code it fails in the order of `checkEligibility`: every policy filter first, the
 * two transient ones (provider_unavailable, capacity_full) last — so a lane rejected for a
 * transient reason passes every policy filter and is one the batch may wait for.
 */
export const REJECTION_CODES = [
  'capacity_full', // the offering has no room left for more items; the batch may wait for room
  'context_window_exceeded', // an item is larger than the model's context window
  'privacy_tier_mismatch', // the lane may not see data of the batch's privacy tier (fails closed)
  'tool_support', // items need function tools the offering does not take
  'operation_unsupported', // the model or offering does not do this operation
  'region_not_allowed', // the offering's regions are not within allowed_regions
  'routing_mode_excluded', // the routing mode rules this kind of lane out
  'sla_unachievable', // expected completion does not fit the deadline (half of it under sla_aware)
  'provider_unavailable', // circuit open or no edge node online: the batch may wait; a public provider not configured: refused at create
  'provider_excluded', // provider_preferences (only / order without fallbacks / zdr) rule it out
  'price_above_max', // the lane's total exceeds max_price
] as const
export type RejectionCode = (typeof REJECTION_CODES)[number]

/**
 * Rejections that can clear over time: a batch whose only lanes fail these waits instead of failing
 * — except provider_unavailable for a public provider that is not configured (routing/plan.ts).
 */
export const TRANSIENT_REJECTIONS: readonly RejectionCode[] = ['provider_unavailable', 'capacity_full']

/** True when `code` can clear over time (see TRANSIENT_REJECTIONS). */
export function isTransientRejection(code: RejectionCode | null): boolean {
  return code !== null && TRANSIENT_REJECTIONS.includes(code)
}
