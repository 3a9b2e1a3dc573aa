/** Turns a routing plan into the wire shapes of quotes (and the batch's estimate). */
import { formatMicros } from '../../lib/money'
import { newId } from '../../lib/ids'
import type { GroupPlan, LaneCandidate, LanePrice, RoutingPlan } from '../routing/index'

/** `{currency, provider_subtotal, batchrouter_fee, customer_discount, total}` */
export function presentPriceBreakdown(p: LanePrice) {
  return { currency: 'usd' as const, provider_subtotal: formatMicros(p.providerSubtotal), batchrouter_fee: formatMicros(p.fee), customer_discount: formatMicros(p.discount), total: formatMicros(p.total) }
}

/** One quote lane per candidate of every group, with a lane id. */
export function presentQuoteLanes(plan: RoutingPlan) {
  return plan.groups.flatMap((g) => g.selection.candidates.map((c) => presentLane(c)))
}

function presentLane(c: LaneCandidate) {
  return {
    lane_id: newId('lane'),
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

/** The plain-language explanation: one sentence per selected lane, rejections, unroutable groups. */
export function explainPlan(plan: RoutingPlan, lanes: ReturnType<typeof presentQuoteLanes>) {
  const selected = lanes.filter((l) => l.selected)
  const sentences = selected.map((l) => `${l.item_count} ${l.model} ${l.operation} item${l.item_count === 1 ? '' : 's'} go to ${l.provider} (${l.offering_id}, ${l.lane_kind}) for ${l.price.total} USD.`)
  const unroutable = plan.groups.filter((g) => !g.routable).map((g) => unroutableEntry(g))
  for (const u of unroutable) sentences.push(u.message)
  return {
    summary: sentences.join(' '),
    lane_mode: selected.length > 1 ? ('multi_lane' as const) : ('single_lane' as const),
    selected_lanes: selected.map((l) => l.lane_id),
    rejected_lanes: lanes.filter((l) => l.rejection_code).map((l) => ({ lane_id: l.lane_id, offering_id: l.offering_id, rejection_code: l.rejection_code!, reason: l.reason })),
    unroutable,
    fallback_behavior: 'If a selected lane fails, stalls or expires, its unfinished items move to the next lane in fallback_order while the SLA deadline allows; finished items are never re-run.',
  }
}

function unroutableEntry(g: GroupPlan) {
  const placed = g.demand.itemCount - g.selection.unallocated
  const anyEligible = g.selection.candidates.some((c) => c.rejectionCode === null)
  return {
    code: anyEligible ? 'provider_capacity_unavailable' : 'no_eligible_lane',
    model: g.demand.model.slug,
    operation: g.demand.operation,
    message: anyEligible
      ? `Only ${placed} of ${g.demand.itemCount} ${g.demand.model.slug} items fit the eligible lanes' capacity right now.`
      : `No lane can run the ${g.demand.itemCount} ${g.demand.model.slug} ${g.demand.operation} items under this policy: ${[...new Set(g.selection.candidates.map((c) => c.rejectionCode))].join(', ') || 'no offering'}.`,
  }
}
