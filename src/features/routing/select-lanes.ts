/**
 * Lane selection: one pure function from (demand, offerings with live state, policy, fees) to
 * every candidate with a rank, allocation and price — or a rejection code and reason.
 * Deterministic and independent of the order of `states`: ties break on the demand's model order,
 * then expected turnaround, then offering id.
 */
import { checkEligibility } from './eligibility'
import { expectedTurnaroundSeconds, riskFactor } from './observed'
import { priceTokens, prorate } from '../catalog/index'
import { explainSelected, explainFallback, explainSplit } from './explain'
import type { CatalogModel } from '../../catalog-schema'
import type { Evaluated, FeeSchedule, LaneCandidate, LaneDemand, OfferingState, RoutingPolicy } from './types'

export interface LaneSelection {
  /** Every offering of the demand's acceptable models: ranked ones first (rank 1 = best), then rejected ones by id. */
  candidates: LaneCandidate[]
  /** Items no eligible lane had room for (0 when the demand is fully placed). */
  unallocated: number
  /** Why the group is split across lanes (one sentence), or null when it is not. */
  splitReason: string | null
}

/** The demand's acceptable models, its own model first, without duplicates. */
export function acceptableModels(demand: LaneDemand): CatalogModel[] {
  const all = [demand.model, ...(demand.alternatives ?? [])]
  return all.filter((m, i) => all.findIndex((x) => x.slug === m.slug) === i)
}

/** Ranks and allocates the offerings of the demand's models for one item group. */
export function selectLanes(demand: LaneDemand, states: OfferingState[], policy: RoutingPolicy, fees: FeeSchedule): LaneSelection {
  const models = acceptableModels(demand)
  const evaluated = states.flatMap((state): Evaluated[] => {
    const modelIndex = models.findIndex((m) => m.slug === state.offering.model)
    if (modelIndex === -1) return []
    const model = models[modelIndex]!
    const price = priceTokens(demand.inputTokens, demand.outputTokens, state.rates, state.offering.provider, fees)
    const expectedSeconds = expectedTurnaroundSeconds(state)
    const rejection = checkEligibility({ demand, state, policy, model, price, expectedSeconds })
    const score = policy.routingMode === 'sla_aware' ? price.total * riskFactor(state) : price.total
    return [{ state, model, modelIndex, price, expectedSeconds, score, rejection }]
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
  const selectedInOrder = eligible.filter((e) => allocation.has(e.state.offering.offering_id))
  const candidates = evaluated.map((e): LaneCandidate => {
    const id = e.state.offering.offering_id
    const allocated = allocation.get(id) ?? 0
    const rank = e.rejection ? null : eligibleIds.indexOf(id) + 1
    const selected = allocated > 0
    return {
      offeringId: id,
      provider: e.state.offering.provider,
      model: e.model.slug,
      operation: demand.operation,
      laneKind: e.state.offering.lane_kind,
      selected,
      rank,
      itemCount: allocated,
      allocationPercent: demand.itemCount > 0 ? Math.round((allocated / demand.itemCount) * 10_000) / 100 : 0,
      rates: e.state.rates,
      price: selected ? prorate(e.price, allocated, demand.itemCount) : e.price,
      estimatedCompletionSeconds: e.expectedSeconds,
      fallbackOrder: selected && policy.allowFallbacks ? eligibleIds.filter((other) => other !== id) : [],
      rejectionCode: e.rejection?.code ?? null,
      reason: e.rejection?.reason ?? (selected ? explainSelected(e, allocated, demand, policy, selectedInOrder) : explainFallback(e, rank!, eligible)),
      capacityLeft: Math.max(0, e.state.capacityLeft),
      observed: e.state.observed ?? null,
    }
  })
  candidates.sort((a, b) => (a.rank ?? Number.MAX_SAFE_INTEGER) - (b.rank ?? Number.MAX_SAFE_INTEGER) || compareIds(a.offeringId, b.offeringId))
  return { candidates, unallocated: Math.max(0, remaining), splitReason: explainSplit(demand, selectedInOrder, allocation, remaining) }
}

/** Ranking order for eligible lanes under the policy. */
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
  return (
    a.score - b.score ||
    a.modelIndex - b.modelIndex ||
    a.expectedSeconds - b.expectedSeconds ||
    compareIds(a.state.offering.offering_id, b.state.offering.offering_id)
  )
}

/** Code-unit order: the same on every machine (localeCompare is not). */
function compareIds(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0
}
