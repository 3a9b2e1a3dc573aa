/**
 * One-sentence reasons for eligible lanes (rejections carry their own): why a lane was selected,
 * why it is only a fallback, and why a group was split. Pure string building.
 */
import { formatMicros } from '../../lib/money'
import { formatDuration, riskFactor } from './observed'
import type { Evaluated, LaneDemand, RoutingPolicy } from './types'

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
  if (policy.routingMode === 'sla_aware') {
    const basis = e.expectedSeconds !== o.turnaround_seconds ? `observed over ${e.state.observed?.lanes ?? 0} lanes` : 'catalog figure'
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

/** Reason for an eligible lane that got no items. */
export function explainFallback(e: Evaluated, rank: number, eligibleInOrder: Evaluated[]): string {
  const first = eligibleInOrder[0]!
  const ahead = first === e ? 'other lanes' : first.state.offering.offering_id
  const cheaper = first !== e && first.price.total < e.price.total ? ` (${usd(first.price.total)} vs ${usd(e.price.total)})` : ''
  return `Eligible and kept as fallback at rank ${rank}; ${ahead} ranks ahead${cheaper}.`
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
