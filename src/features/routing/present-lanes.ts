/** Candidate lanes on the wire: a quote's `quote_lanes` and the routing receipt's candidates. */
import { formatMicros } from '../../lib/money'
import { newId } from '../../lib/ids'
import type { RoutingPlan } from './plan'
import type { LaneCandidate } from './types'

/** One quote lane per candidate of every group, each with a draft lane id. */
export function presentQuoteLanes(plan: RoutingPlan) {
  return plan.groups.flatMap((g) => g.selection.candidates.map((c) => ({ lane_id: newId('lane'), ...presentCandidate(c) })))
}

/** A candidate lane on the wire (quotes' `quote_lanes`, the receipt's `candidates`), without a lane id. */
export function presentCandidate(c: LaneCandidate) {
  return {
    model: c.model,
    operation: c.operation,
    provider: c.provider,
    offering_id: c.offeringId,
    lane_kind: c.laneKind,
    selected: c.selected,
    rank: c.rank,
    item_count: c.itemCount,
    allocation_percent: c.allocationPercent,
    price: { currency: 'usd' as const, provider_subtotal: formatMicros(c.price.providerSubtotal), batchrouter_fee: formatMicros(c.price.fee), total: formatMicros(c.price.total) },
    rates: { input_per_1m: formatMicros(c.rates.input), output_per_1m: formatMicros(c.rates.output) },
    estimated_completion_seconds: c.estimatedCompletionSeconds,
    fallback_order: c.fallbackOrder,
    rejection_code: c.rejectionCode,
    reason: c.reason,
  }
}
