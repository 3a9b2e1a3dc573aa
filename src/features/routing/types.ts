/** Inputs and outputs of lane selection. Plain data: no I/O, no clock. */
import type { CatalogModel, CatalogOffering, Operation } from '../../catalog-schema'
import type { PrivacyTier, RejectionCode, RoutingMode, SlaTier } from './vocabulary'
import type { FeeSchedule, LanePrice } from '../catalog/index'

export type { FeeSchedule, LanePrice }

/** What one group of items (same model × operation, or same `models` list × operation) needs. */
export interface LaneDemand {
  /** The group's model: the items' own model, or the first listed model that does the operation. */
  model: CatalogModel
  /**
   * Every model the items may run on, in the caller's order (includes `model`). Absent or one
   * entry: only `model`. Set from the request's `models` list for items whose model is listed.
   */
  alternatives?: CatalogModel[]
  /** The item-level model slugs that make up this group (for assigning the items later). */
  itemModels?: string[]
  operation: Operation
  itemCount: number
  inputTokens: number
  outputTokens: number
  /** Largest single item: input + requested output tokens. */
  maxItemTokens: number
  needsTools: boolean
  /**
   * Why some item cannot be translated for the Anthropic Messages dialect (`<rejection_code>:<feature>`,
   * e.g. `tool_support:tools.function.strict`); absent when every item translates.
   */
  untranslatable?: string
}

/** What finished lanes of an offering showed recently (a rolling window; see routing/stats.ts). */
export interface ObservedStats {
  /** Finished lanes in the window. */
  lanes: number
  /** Turnaround estimate from those lanes (p90, seconds); null when none finished normally. */
  turnaroundSeconds: number | null
  /** Share of finished items that failed, 0..1. */
  failureRate: number
  /** Share of items that expired before their lane finished, 0..1. */
  expiryRate: number
}

/** An offering with what is known about it right now. */
export interface OfferingState {
  offering: CatalogOffering
  /** Provider configured (base URL and credential present). */
  available: boolean
  /** Wire protocol of the offering's provider (catalog `kind`); translating dialects refuse untranslatable items. */
  providerKind?: string
  /** `open` after repeated provider failures: the offering takes no new work until it closes. */
  circuit?: 'closed' | 'open' | 'half_open'
  /** Items it can still take now: min(max_batch_items, concurrent capacity − items held). */
  capacityLeft: number
  /** Items queued or running on it for other batches (for the capacity details of a 503). */
  heldItems?: number
  /** Micro-dollars per 1M tokens: locked by a quote, else the catalog's. */
  rates: { input: number; output: number }
  /** Rolling outcomes of its finished lanes; absent = no history (catalog figures are used). */
  observed?: ObservedStats
}

export interface RoutingPolicy {
  routingMode: RoutingMode
  privacyTier: PrivacyTier
  /** Seconds from now to the SLA deadline. */
  slaSeconds: number
  /** The SLA tier (absent = standard): `priority` ranks eligible lanes by expected turnaround before price. */
  slaTier?: SlaTier
  allowedRegions?: string[]
  only?: string[]
  order?: string[]
  allowFallbacks: boolean
  zdr?: boolean
  /** Max total for the whole request in micro-dollars (checked per lane and overall). */
  maxPriceMicros?: number
  /** Acceptable model slugs in order (request `models`); items whose model is listed may run on any. */
  models?: string[]
}

/** One candidate offering for a demand: selected with an allocation, or rejected with a reason. */
export interface LaneCandidate {
  offeringId: string
  provider: string
  model: string
  operation: Operation
  laneKind: 'public' | 'edge'
  selected: boolean
  rank: number | null
  itemCount: number
  allocationPercent: number
  rates: { input: number; output: number }
  /** Price of the allocated items (selected) or of the whole demand (not selected, for comparison). */
  price: LanePrice
  /** Expected seconds to finish: observed p90 once the offering has history, else the catalog's figure. */
  estimatedCompletionSeconds: number
  /** Offering ids to fail over to, in order (selected lanes only; empty when fallbacks are off). */
  fallbackOrder: string[]
  rejectionCode: RejectionCode | null
  reason: string
  /** Items the offering could take right now (before this allocation). */
  capacityLeft: number
  /** What finished lanes showed (null without history). */
  observed: ObservedStats | null
}

/** One offering as evaluated for a demand (internal to lane selection and its explanations). */
export interface Evaluated {
  state: OfferingState
  model: CatalogModel
  /** Position of the model in the demand's acceptable list (0 = the group's own model). */
  modelIndex: number
  price: LanePrice
  expectedSeconds: number
  /** Cost the ranking uses: total, or total × risk factor under sla_aware. */
  score: number
  rejection: { code: RejectionCode; reason: string } | null
}

/** The policy a batch stores (column `policy`): the routing policy of its request and its SLA tier. */
export type StoredPolicy = RoutingPolicy & { slaTier: SlaTier }

/** A candidate lane on the wire: a quote's `quote_lanes` entry (with a draft lane id) and the receipt's candidates. */
export interface CandidateObject {
  model: string
  operation: Operation
  provider: string
  offering_id: string
  lane_kind: 'public' | 'edge'
  selected: boolean
  rank: number | null
  item_count: number
  allocation_percent: number
  price: { currency: 'usd'; provider_subtotal: string; batchrouter_fee: string; customer_discount: string; sla_adjustment: string; total: string }
  rates: { input_per_1m: string; output_per_1m: string }
  estimated_completion_seconds: number
  fallback_order: string[]
  rejection_code: RejectionCode | null
  reason: string
}
