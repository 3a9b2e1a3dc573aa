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
  'confidential', // zero-retention providers or edge nodes only
  'restricted', // edge nodes enrolled as restricted only
] as const
export type PrivacyTier = (typeof PRIVACY_TIERS)[number]

export const SLA_TIERS = [
  'standard', // 24 h deadline by default
  'flex', // 48 h: may use slower, cheaper lanes
  'priority', // 1 h
] as const
export type SlaTier = (typeof SLA_TIERS)[number]

/** Why a candidate lane was not selected; set by selectLanes, shown in quotes and receipts. */
export const REJECTION_CODES = [
  'capacity_full', // the offering has no room left for more items
  'context_window_exceeded', // an item is larger than the model's context window
  'privacy_tier_mismatch', // the lane may not see data of the batch's privacy tier
  'tool_support', // items need function tools the offering does not take
  'operation_unsupported', // the model or offering does not do this operation
  'region_not_allowed', // none of the offering's regions is in allowed_regions
  'routing_mode_excluded', // the routing mode rules this kind of lane out
  'sla_unachievable', // expected turnaround does not fit the deadline
  'provider_unavailable', // provider not configured or unhealthy
  'provider_excluded', // provider_preferences (only / zdr) rule it out
  'price_above_max', // the lane's total exceeds max_price
] as const
export type RejectionCode = (typeof REJECTION_CODES)[number]
