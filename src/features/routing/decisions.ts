/**
 * Routing receipt entries (the `routing_decisions` table routing owns): the `initial` decision
 * of every item group with each candidate lane and the lane id it became, and a `waiting` entry
 * whenever a group that cannot run yet is refused for different reasons than last time. Also the
 * wire shape of a candidate lane, which quotes show too.
 */
import { and, desc, eq } from 'drizzle-orm'
import type { Deps } from '../../deps'
import { itemsPhrase } from './select-lanes'
import type { GroupPlan, RoutingPlan } from './plan'
import { routingDecisionsTable, type DecisionDetail } from './table'
import { formatMicros } from '../../lib/money'
import { presentPriceBreakdown } from '../catalog/index'
import { newId } from '../../lib/ids'
import type { CandidateObject, LaneCandidate } from './types'

/** A receipt entry for each waiting group whose candidates' verdicts changed since its last one; inside the caller's transaction. */
export function recordWaitingInTx(deps: Deps, batchId: string, groups: GroupPlan[], now: number): void {
  const previous = deps.db.select({ model: routingDecisionsTable.model, operation: routingDecisionsTable.operation, detail: routingDecisionsTable.detail })
    .from(routingDecisionsTable).where(and(eq(routingDecisionsTable.batchId, batchId), eq(routingDecisionsTable.kind, 'waiting'))).orderBy(desc(routingDecisionsTable.id)).all()
  for (const g of groups) {
    const last = previous.find((p) => p.model === g.demand.model.slug && p.operation === g.demand.operation)
    if (last && 'signature' in last.detail && last.detail.signature === signatureOf(g)) continue
    recordDecisionInTx(deps, batchId, 'waiting', g, now)
  }
}

/** The batch's `last_error` while it waits: which groups lack a lane. */
export function waitingSummary(groups: GroupPlan[]): string {
  return `Waiting for an eligible lane with room for ${groups.map((g) => `${g.demand.itemCount} ${g.key.replace('|', ' ')}`).join(', ')} items; retrying until the SLA deadline.`
}

/** What a waiting entry shows: which lane is refused for what (reasons change wording, not codes). */
function signatureOf(g: GroupPlan): string {
  return JSON.stringify([g.demand.itemCount, g.selection.unallocated, g.selection.candidates.map((c) => [c.offeringId, c.rejectionCode, c.itemCount])])
}

/** Writes one decision for group `g`; `laneIds` maps each selected offering to the lane it became. */
export function recordDecisionInTx(deps: Deps, batchId: string, kind: 'initial' | 'waiting', g: GroupPlan, now: number, laneIds?: Map<string, string>): void {
  const candidates = g.selection.candidates.map((c) => ({ ...presentCandidate(c), lane_id: laneIds?.get(c.offeringId) ?? null }))
  const detail: DecisionDetail = {
    item_count: g.demand.itemCount,
    ...(g.demand.alternatives && g.demand.alternatives.length > 0 ? { models: g.demand.alternatives.map((m) => m.slug), item_models: g.demand.itemModels ?? [] } : {}),
    routable: g.routable,
    lane_mode: candidates.filter((c) => c.selected).length > 1 ? 'multi_lane' : 'single_lane',
    split_reason: g.selection.splitReason,
    ...(kind === 'waiting' ? { waiting_reason: waitingReason(g), signature: signatureOf(g) } : {}),
    candidates,
  }
  deps.db.insert(routingDecisionsTable).values({ batchId, kind, model: g.demand.model.slug, operation: g.demand.operation, detail, createdAt: now }).run()
}

function waitingReason(g: GroupPlan): string {
  const what = itemsPhrase(g.demand.itemCount, g.demand.model.slug, g.demand.operation)
  if (g.selection.candidates.some((c) => c.rejectionCode === null)) return g.selection.splitReason ?? `The eligible lanes lack room for the ${what}; waiting for capacity.`
  const transient = g.selection.candidates.filter((c) => c.rejectionCode === 'provider_unavailable' || c.rejectionCode === 'capacity_full').map((c) => c.offeringId)
  if (transient.length > 0) return `No lane may take the ${what} right now; waiting for ${transient.join(', ')} (${g.selection.candidates.find((c) => transient.includes(c.offeringId))!.rejectionCode}) until the SLA deadline. No other lane is used.`
  const codes = [...new Set(g.selection.candidates.map((c) => c.rejectionCode))].join(', ') || 'no offering'
  return `No lane may take the ${what} under this batch's policy now (${codes}); it waits until the SLA deadline and then expires. No other lane is used.`
}

// ---- Candidate lanes on the wire: a quote's `quote_lanes` and the routing receipt's candidates.

/** One quote lane per candidate of every group, each with a draft lane id. */
export function presentQuoteLanes(plan: RoutingPlan) {
  return plan.groups.flatMap((g) => g.selection.candidates.map((c) => ({ lane_id: newId('lane'), ...presentCandidate(c) })))
}

/** A candidate lane on the wire (quotes' `quote_lanes`, the receipt's `candidates`), without a lane id. */
export function presentCandidate(c: LaneCandidate): CandidateObject {
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
    price: presentPriceBreakdown(c.price),
    rates: { input_per_1m: formatMicros(c.rates.input), output_per_1m: formatMicros(c.rates.output) },
    estimated_completion_seconds: c.estimatedCompletionSeconds,
    fallback_order: c.fallbackOrder,
    rejection_code: c.rejectionCode,
    reason: c.reason,
  }
}
