/**
 * Lane selection: one pure function from (demand, offerings with live state, policy, fees) to
 * every candidate with a rank, allocation and price — or a rejection code and reason.
 * Deterministic: ties break on turnaround, then offering id.
 */
import { checkEligibility } from './eligibility'
import { priceTokens, prorate } from './price'
import type { FeeSchedule, LaneCandidate, LaneDemand, LanePrice, OfferingState, RoutingPolicy } from './types'

export interface LaneSelection {
  candidates: LaneCandidate[]
  /** Items no eligible lane had room for (0 when the demand is fully placed). */
  unallocated: number
}

interface Evaluated {
  state: OfferingState
  price: LanePrice
  rejection: { code: LaneCandidate['rejectionCode'] & string; reason: string } | null
}

/** Ranks and allocates the offerings of `demand.model` for one item group. */
export function selectLanes(demand: LaneDemand, states: OfferingState[], policy: RoutingPolicy, fees: FeeSchedule): LaneSelection {
  const evaluated: Evaluated[] = states
    .filter((s) => s.offering.model === demand.model.slug)
    .map((state) => {
      const price = priceTokens(demand.inputTokens, demand.outputTokens, state.rates, state.offering.provider, fees)
      let rejection = checkEligibility(demand, state, policy)
      if (!rejection && policy.maxPriceMicros !== undefined && price.total > policy.maxPriceMicros) {
        rejection = { code: 'price_above_max', reason: `Costs more than max_price for this group.` }
      }
      return { state, price, rejection }
    })
  const eligible = evaluated.filter((e) => !e.rejection).sort((a, b) => compare(a, b, policy))
  let remaining = demand.itemCount
  const allocation = new Map<string, number>()
  for (const e of eligible) {
    if (remaining <= 0) break
    const take = Math.min(remaining, e.state.capacityLeft)
    if (take > 0) allocation.set(e.state.offering.offering_id, take)
    remaining -= take
  }
  const eligibleIds = eligible.map((e) => e.state.offering.offering_id)
  const candidates = evaluated.map((e): LaneCandidate => {
    const id = e.state.offering.offering_id
    const allocated = allocation.get(id) ?? 0
    const rank = e.rejection ? null : eligibleIds.indexOf(id) + 1
    const selected = allocated > 0
    return {
      offeringId: id,
      provider: e.state.offering.provider,
      model: demand.model.slug,
      operation: demand.operation,
      laneKind: e.state.offering.lane_kind,
      selected,
      rank,
      itemCount: allocated,
      allocationPercent: demand.itemCount > 0 ? Math.round((allocated / demand.itemCount) * 10_000) / 100 : 0,
      rates: e.state.rates,
      price: selected ? prorate(e.price, allocated, demand.itemCount) : e.price,
      estimatedCompletionSeconds: e.state.offering.turnaround_seconds,
      fallbackOrder: selected && policy.allowFallbacks ? eligibleIds.filter((other) => other !== id) : [],
      rejectionCode: e.rejection?.code ?? null,
      reason: e.rejection?.reason ?? explainEligible(e, selected, allocated, demand, eligible[0]),
    }
  })
  candidates.sort((a, b) => (a.rank ?? 1e9) - (b.rank ?? 1e9) || a.offeringId.localeCompare(b.offeringId))
  return { candidates, unallocated: Math.max(0, remaining) }
}

function compare(a: Evaluated, b: Evaluated, policy: RoutingPolicy): number {
  if (policy.routingMode === 'hybrid') {
    const edge = (e: Evaluated) => (e.state.offering.lane_kind === 'edge' ? 0 : 1)
    if (edge(a) !== edge(b)) return edge(a) - edge(b)
  }
  if (policy.order && policy.order.length > 0) {
    const pos = (e: Evaluated) => {
      const i = policy.order!.indexOf(e.state.offering.provider)
      return i === -1 ? policy.order!.length : i
    }
    if (pos(a) !== pos(b)) return pos(a) - pos(b)
  }
  return a.price.total - b.price.total || a.state.offering.turnaround_seconds - b.state.offering.turnaround_seconds || a.state.offering.offering_id.localeCompare(b.state.offering.offering_id)
}

function explainEligible(e: Evaluated, selected: boolean, allocated: number, demand: LaneDemand, best: Evaluated | undefined): string {
  const id = e.state.offering.offering_id
  if (selected && allocated === demand.itemCount) return `Selected: ${id} is the best eligible lane for all ${allocated} items.`
  if (selected) return `Selected for ${allocated} of ${demand.itemCount} items: the better lanes had no room for the rest.`
  return `Eligible and kept as a fallback; ${best?.state.offering.offering_id ?? 'another lane'} ranks ahead of it.`
}
