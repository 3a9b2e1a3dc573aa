/**
 * Lane selection: one pure function from (demand, offerings with live state, policy, fees) to
 * every candidate with a rank, allocation and price — or a rejection code and reason.
 * Deterministic and independent of the order of `states`: ties break on the demand's model order,
 * then expected turnaround, then offering id. Priority work ranks by expected turnaround first. Below it, the one-sentence reasons of eligible
 * lanes (rejections carry their own): why selected, why only a fallback, why a group was split.
 */
import { checkEligibility } from './eligibility'
import { expectedTurnaroundSeconds, riskFactor, formatDuration } from './observed'
import { priceTokens, prorate } from '../catalog/index'
import type { CatalogModel } from '../../catalog-schema'
import type { Evaluated, FeeSchedule, LaneCandidate, LaneDemand, OfferingState, RoutingPolicy } from './types'
import { formatMicros } from '../../lib/money'

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
      reason: e.rejection?.reason ?? (selected ? explainSelected(e, allocated, demand, policy, selectedInOrder) : explainFallback(e, rank!, eligible, policy)),
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
  // Priority is the expedited tier: the fastest lane first, price only among equally fast ones.
  if (policy.slaTier === 'priority' && a.expectedSeconds !== b.expectedSeconds) return a.expectedSeconds - b.expectedSeconds
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

// ---- Reasons: one sentence for each eligible lane (rejections carry their own) — why a lane was
// selected, why it is only a fallback, and why a group was split. Pure string building.

const usd = (micros: number) => `${formatMicros(micros)} USD`

/** "3 gpt-4o-mini responses items", "1 nomic-embed-text embeddings item". */
export function itemsPhrase(count: number, model: string, operation: string): string {
  return `${count} ${model} ${operation} item${count === 1 ? '' : 's'}`
}

/** Why the lane ranks where it does under the policy (a clause, no final period). */
function rankClause(e: Evaluated, policy: RoutingPolicy, first: boolean, edgeBefore: boolean): string {
  const o = e.state.offering
  const price = `${usd(e.price.total)} for the group`
  const onModel = e.modelIndex > 0 ? ` on ${e.model.slug} (listed in models)` : ''
  if (policy.routingMode === 'hybrid') {
    if (o.lane_kind === 'edge') return `hybrid fills edge lanes first (${price})${onModel}`
    return `${edgeBefore ? 'hybrid overflows to public lanes once edge lanes are full' : 'no edge lane can take this group, so hybrid uses public lanes'}, cheapest first (${price})${onModel}`
  }
  const orderAt = policy.order?.indexOf(o.provider) ?? -1
  if (orderAt >= 0) return `${o.provider} is #${orderAt + 1} in provider_preferences.order (${price})${onModel}`
  const basis = e.expectedSeconds !== o.turnaround_seconds ? `observed over ${e.state.observed?.lanes ?? 0} lanes` : 'catalog figure'
  if (policy.slaTier === 'priority') return `${first ? 'the fastest' : 'the next fastest'} eligible lane for priority work (expected ${formatDuration(e.expectedSeconds)}, ${basis}; ${price})${onModel}`
  if (policy.routingMode === 'sla_aware') {
    return `lowest cost adjusted for observed failure and expiry (${price} × ${riskFactor(e.state).toFixed(2)}) among lanes expected to finish well inside the deadline (${formatDuration(e.expectedSeconds)}, ${basis})${onModel}`
  }
  const kind = policy.routingMode === 'edge_only' ? 'edge ' : policy.routingMode === 'public_only' ? 'public ' : policy.routingMode === 'privacy_constrained' ? 'zero-retention or edge ' : ''
  return `${first ? 'the cheapest' : 'the next cheapest'} eligible ${kind}lane (${price})${onModel}`
}

/** Reason for a selected lane holding `allocated` of the demand's items. */
export function explainSelected(e: Evaluated, allocated: number, demand: LaneDemand, policy: RoutingPolicy, selectedInOrder: Evaluated[]): string {
  const at = selectedInOrder.indexOf(e)
  const why = rankClause(e, policy, at === 0, selectedInOrder.slice(0, at).some((x) => x.state.offering.lane_kind === 'edge'))
  const n = demand.itemCount
  if (allocated === n) return `Selected for ${n === 1 ? 'the one item' : `all ${n} items`}: ${why}.`
  const full = allocated >= e.state.capacityLeft
  if (at === 0) return `Selected for ${allocated} of ${n} items: ${why}, but it has room for only ${allocated} more, so the rest go to the next lane.`
  const before = selectedInOrder.slice(0, at).map((x) => x.state.offering.offering_id).join(' and ')
  return `Selected for ${allocated} of ${n} items that ${before} had no room for${full ? ` (it has room for only ${allocated})` : ''}: ${why}.`
}

/** Reason for an eligible lane that got no items (under priority, a faster lane ahead says how much faster). */
export function explainFallback(e: Evaluated, rank: number, eligibleInOrder: Evaluated[], policy?: Pick<RoutingPolicy, 'slaTier'>): string {
  const first = eligibleInOrder[0]!
  const ahead = first === e ? 'other lanes' : first.state.offering.offering_id
  const faster = policy?.slaTier === 'priority' && first !== e && first.expectedSeconds < e.expectedSeconds
  const cheaper = first !== e && first.price.total < e.price.total
  const why = faster ? ` (expected ${formatDuration(first.expectedSeconds)} vs ${formatDuration(e.expectedSeconds)})` : cheaper ? ` (${usd(first.price.total)} vs ${usd(e.price.total)})` : ''
  return `Eligible and kept as fallback at rank ${rank}; ${ahead} ranks ahead${why}.`
}

/** Why the group is split across lanes or not fully placed; null for a single lane holding everything. */
export function explainSplit(demand: LaneDemand, selectedInOrder: Evaluated[], allocation: Map<string, number>, unallocated: number): string | null {
  // Nothing selected means no lane was eligible at all: that is a rejection story, not a split.
  if (selectedInOrder.length === 0 || (selectedInOrder.length === 1 && unallocated <= 0)) return null
  const what = itemsPhrase(demand.itemCount, demand.model.slug, demand.operation)
  const limited = selectedInOrder
    .filter((e) => (allocation.get(e.state.offering.offering_id) ?? 0) >= e.state.capacityLeft)
    .map((e) => `${e.state.offering.offering_id} has room for only ${e.state.capacityLeft} more`)
  const because = limited.length > 0 ? ` because ${limited.join(' and ')}` : ''
  if (unallocated > 0) {
    const placed = demand.itemCount - unallocated
    return `Only ${placed} of the ${what} fit the eligible lanes right now${because}; ${unallocated} have no lane with room.`
  }
  return `The ${what} are split across ${selectedInOrder.length} lanes${because}.`
}
