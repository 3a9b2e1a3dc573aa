/** Turns a routing plan into the wire shapes of quotes (and the batch's estimate). */
import { itemsPhrase, presentQuoteLanes, type GroupPlan, type LanePrice, type RoutingPlan, type RoutingPolicy } from '../routing/index'

/**
 * The plain-language explanation: one sentence per selected lane, one per split group, one per
 * group that cannot run; the rejections; and what happens when a selected lane fails.
 */
export function explainPlan(plan: RoutingPlan, lanes: ReturnType<typeof presentQuoteLanes>, policy?: Pick<RoutingPolicy, 'allowFallbacks'>) {
  const selected = lanes.filter((l) => l.selected)
  const sentences = selected.map((l) => `${itemsPhrase(l.item_count, l.model, l.operation)} ${l.item_count === 1 ? 'goes' : 'go'} to ${l.provider} (${l.offering_id}, ${l.lane_kind}) for ${l.price.total} USD.`)
  for (const g of plan.groups) {
    if (g.routable && g.selection.splitReason) sentences.push(g.selection.splitReason)
    if (g.routable && (g.demand.alternatives?.length ?? 0) > 1) sentences.push(modelsSentence(g))
  }
  const unroutable = plan.groups.filter((g) => !g.routable).map((g) => unroutableEntry(g))
  for (const u of unroutable) sentences.push(u.message)
  return {
    summary: sentences.join(' '),
    lane_mode: selected.length > 1 ? ('multi_lane' as const) : ('single_lane' as const),
    selected_lanes: selected.map((l) => l.lane_id),
    rejected_lanes: lanes.filter((l) => l.rejection_code).map((l) => ({ lane_id: l.lane_id, offering_id: l.offering_id, rejection_code: l.rejection_code!, reason: l.reason })),
    unroutable,
    fallback_behavior:
      policy?.allowFallbacks === false
        ? 'provider_preferences.allow_fallbacks is false: if a selected lane fails, stalls or expires, its unfinished items are not moved to another lane.'
        : 'If a selected lane fails, stalls or expires, its unfinished items move to the next lane in fallback_order (same policy) while the SLA deadline allows; finished items are never re-run.',
  }
}

/** Which listed model a `models` group landed on, and from which requested models. */
function modelsSentence(g: GroupPlan): string {
  const chosen = [...new Set(g.selection.candidates.filter((c) => c.selected).map((c) => c.model))]
  const listed = g.demand.alternatives!.map((m) => m.slug).join(', ')
  return `The ${itemsPhrase(g.demand.itemCount, (g.demand.itemModels ?? [g.demand.model.slug]).join('/'), g.demand.operation)} may run on any model in models (${listed}); ${chosen.join(' and ')} ${chosen.length === 1 ? 'is' : 'are'} the cheapest eligible.`
}

function unroutableEntry(g: GroupPlan) {
  const placed = g.demand.itemCount - g.selection.unallocated
  const anyEligible = g.selection.candidates.some((c) => c.rejectionCode === null)
  const what = itemsPhrase(g.demand.itemCount, g.demand.model.slug, g.demand.operation)
  const wait = g.waitable ? ' A batch created now waits for a lane until its SLA deadline; it is never sent to a lane that breaks the policy.' : ''
  return {
    code: anyEligible ? 'provider_capacity_unavailable' : 'no_eligible_lane',
    model: g.demand.model.slug,
    operation: g.demand.operation,
    message: anyEligible
      ? `${g.selection.splitReason ?? `Only ${placed} of the ${what} fit the eligible lanes' capacity right now.`}${wait}`
      : `No lane can run the ${what} under this policy right now (${[...new Set(g.selection.candidates.map((c) => c.rejectionCode))].join(', ') || 'no offering'}).${wait}`,
  }
}
