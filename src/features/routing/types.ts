/** Inputs and outputs of lane selection. Plain data: no I/O, no clock. */
import type { CatalogModel, CatalogOffering, Operation } from '../catalog/models'
import type { PrivacyTier, RejectionCode, RoutingMode } from './vocabulary'

/** What one group of items (same model × operation) needs. */
export interface LaneDemand {
  model: CatalogModel
  operation: Operation
  itemCount: number
  inputTokens: number
  outputTokens: number
  /** Largest single item: input + requested output tokens. */
  maxItemTokens: number
  needsTools: boolean
}

/** An offering with what is known about it right now. */
export interface OfferingState {
  offering: CatalogOffering
  /** Provider configured (and, later, healthy). */
  available: boolean
  /** Items it can still take (max_batch_items minus what running batches hold). */
  capacityLeft: number
  /** Micro-dollars per 1M tokens: locked by a quote, else the catalog's. */
  rates: { input: number; output: number }
}

export interface RoutingPolicy {
  routingMode: RoutingMode
  privacyTier: PrivacyTier
  /** Seconds from now to the SLA deadline. */
  slaSeconds: number
  allowedRegions?: string[]
  only?: string[]
  order?: string[]
  allowFallbacks: boolean
  zdr?: boolean
  /** Max total for the whole request in micro-dollars (checked per lane and overall). */
  maxPriceMicros?: number
}

export interface FeeSchedule {
  batchFeeBps: number
  discounts: { provider: string; bps: number }[]
}

export interface LanePrice {
  providerSubtotal: number
  fee: number
  discount: number
  total: number
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
  /** Price of the allocated items (selected) or of the whole demand (rejected, for comparison). */
  price: LanePrice
  estimatedCompletionSeconds: number
  /** Offering ids to fail over to, in order. */
  fallbackOrder: string[]
  rejectionCode: RejectionCode | null
  reason: string
}
