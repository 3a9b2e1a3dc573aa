/**
 * The routing receipt (GET /v1/batches/{id}/receipt and the receipt artifact): the policy that
 * applied, the rates locked, for every item group every lane considered (rank or rejection, with
 * a reason) as last decided, the full history of routing decisions, and every re-route with its
 * time and cause. Also the rejected lanes a billing receipt lists.
 */
import { asc, eq } from 'drizzle-orm'
import type { Deps } from '../../deps'
import { toIso } from '../../lib/clock'
import { formatMicros } from '../../lib/money'
import { lanesOfBatch, type LaneRow } from '../dispatch/index'
import type { LockedRates } from './live-state'
import type { StoredPolicy } from './types'
import { routingDecisionsTable, type DecisionDetail, type RoutingDecisionRow } from './table'

/** What the receipt shows of its batch (features/batches hands the row over). */
export interface ReceiptBatch {
  id: string
  status: string
  routingMode: string
  privacyTier: string
  slaTier: string
  slaDeadline: number
  quoteId: string | null
  policy: StoredPolicy
  lockedRates: LockedRates
}

type GroupDecision = RoutingDecisionRow & { detail: DecisionDetail }

/** The receipt object of `batch`. */
export function routingReceipt(deps: Deps, batch: ReceiptBatch) {
  const decisions = decisionsOf(deps, batch.id)
  const groups = itemGroups(decisions)
  const reroutes = decisions.flatMap((d) => (d.kind === 'reroute' && !isGroupDecision(d) ? [{ at: toIso(d.createdAt), model: d.model, operation: d.operation, ...d.detail }] : []))
  return {
    object: 'routing_receipt' as const,
    batch_id: batch.id,
    status: batch.status,
    routing_mode: batch.routingMode,
    privacy_tier: batch.privacyTier,
    sla_tier: batch.slaTier,
    sla_deadline: toIso(batch.slaDeadline),
    quote_id: batch.quoteId,
    policy: presentPolicy(batch),
    rates_locked: ratesLocked(batch, decisions),
    summary: [...groups.map((g) => g.explanation), ...(reroutes.length > 0 ? [`${reroutes.length} re-route${reroutes.length === 1 ? '' : 's'} moved unfinished items to fallback lanes (see reroutes).`] : [])].join(' '),
    item_groups: groups,
    reroutes,
    decisions: decisions.map((d) => {
      const { signature: _internal, ...detail } = isGroupDecision(d) ? d.detail : { ...d.detail, signature: undefined }
      return { kind: d.kind, model: d.model, operation: d.operation, at: toIso(d.createdAt), ...detail }
    }),
    lanes: lanesInDecisionOrder(deps, batch.id, decisions).map((l) => ({ lane_id: l.id, model: l.model, operation: l.operation, provider: l.provider, offering_id: l.offeringId, item_count: l.itemCount, status: l.status, rates: { input_per_1m: formatMicros(l.inputRate), output_per_1m: formatMicros(l.outputRate) }, fallback_order: l.fallbacks, ...(l.provider === 'edge' ? { node_ids: laneNodes(deps, l.id) } : {}) })),
  }
}

/** The lanes refused when each group of the batch was last decided (a batch that waited lists the rejections that applied when it was routed). */
export function rejectedLanes(deps: Deps, batchId: string) {
  const latest = new Map<string, GroupDecision>()
  for (const d of decisionsOf(deps, batchId)) if (isGroupDecision(d)) latest.set(`${d.model}|${d.operation}`, d)
  return [...latest.values()]
    .flatMap((d) => d.detail.candidates.filter((c) => c.rejection_code))
    .map((c) => ({ provider: c.provider, offering_id: c.offering_id, model: c.model, rejection_code: c.rejection_code, reason: c.reason }))
}

function decisionsOf(deps: Deps, batchId: string): RoutingDecisionRow[] {
  return deps.db.select().from(routingDecisionsTable).where(eq(routingDecisionsTable.batchId, batchId)).orderBy(asc(routingDecisionsTable.id)).all()
}

/** An `initial` or `waiting` entry (its detail lists the group's candidates). */
function isGroupDecision(d: RoutingDecisionRow): d is GroupDecision {
  return d.kind !== 'reroute' && 'candidates' in d.detail
}

/** Per model × operation group: the last routing decision (the initial one once routed), explained. */
function itemGroups(decisions: RoutingDecisionRow[]) {
  const byGroup = new Map<string, GroupDecision[]>()
  for (const d of decisions) {
    if (!isGroupDecision(d)) continue
    const key = `${d.model}|${d.operation}`
    byGroup.set(key, [...(byGroup.get(key) ?? []), d])
  }
  return [...byGroup.values()].map((list) => {
    const routed = list.find((d) => d.kind === 'initial')
    const last = routed ?? list[list.length - 1]!
    const { signature: _internal, ...detail } = last.detail
    const waited = list.filter((d) => d.kind === 'waiting')
    const what = `${detail.item_count} ${last.model} ${last.operation} item${detail.item_count === 1 ? '' : 's'}`
    const lanes = detail.candidates.filter((c) => c.selected).map((c) => `${c.offering_id} (${c.item_count})`)
    const explanation = routed
      ? `The ${what} went to ${lanes.join(' and ')}${waited.length > 0 ? ` after waiting since ${toIso(waited[0]!.createdAt)}` : ''}.${detail.split_reason ? ` ${detail.split_reason}` : ''}`
      : `The ${what} ${detail.item_count === 1 ? 'has' : 'have'} not been sent anywhere: ${lowerFirst(detail.waiting_reason ?? 'no lane was eligible.')}`
    return { model: last.model, operation: last.operation, status: routed ? ('routed' as const) : ('waiting' as const), decided_at: toIso(last.createdAt), waited_since: waited[0] ? toIso(waited[0].createdAt) : null, explanation, ...detail }
  })
}

/** The batch's lanes by creation time, lanes of one decision in rank order. */
function lanesInDecisionOrder(deps: Deps, batchId: string, decisions: RoutingDecisionRow[]): LaneRow[] {
  const rank = new Map<string, number>()
  for (const d of decisions) if (isGroupDecision(d)) for (const c of d.detail.candidates) if (c.lane_id && !rank.has(c.lane_id)) rank.set(c.lane_id, rank.size)
  return lanesOfBatch(deps, batchId).sort((a, b) => a.createdAt - b.createdAt || (rank.get(a.id) ?? Infinity) - (rank.get(b.id) ?? Infinity))
}

function presentPolicy(batch: ReceiptBatch) {
  const p = batch.policy
  return {
    routing_mode: batch.routingMode,
    sla_tier: batch.slaTier,
    sla_seconds: p.slaSeconds ?? null,
    privacy_tier: batch.privacyTier,
    allowed_regions: p.allowedRegions ?? null,
    provider_preferences: { only: p.only ?? null, order: p.order ?? null, allow_fallbacks: p.allowFallbacks ?? true, zdr: p.zdr ?? null },
    max_price: p.maxPriceMicros === undefined ? null : { currency: 'usd' as const, amount: formatMicros(p.maxPriceMicros) },
    models: p.models ?? null,
  }
}

/** The locked rates of every offering that was considered for this batch. */
function ratesLocked(batch: ReceiptBatch, decisions: RoutingDecisionRow[]) {
  const locked = batch.lockedRates
  const considered = new Set(decisions.flatMap((d) => (isGroupDecision(d) ? d.detail.candidates.map((c) => c.offering_id) : [])))
  return [...considered].filter((id) => locked[id]).sort().map((id) => ({ offering_id: id, input_per_1m: formatMicros(locked[id]!.input), output_per_1m: formatMicros(locked[id]!.output), source: batch.quoteId ? 'quote' : 'catalog_at_create' }))
}

function lowerFirst(s: string): string {
  return s.charAt(0).toLowerCase() + s.slice(1)
}

/** The edge nodes that ran (or hold) a fleet lane's items, in id order (contract §11: the receipt names the node). */
function laneNodes(deps: Deps, laneId: string): string[] {
  const rows = deps.db.$client.query('SELECT DISTINCT node_id AS id FROM items WHERE lane_id = ? AND node_id IS NOT NULL ORDER BY node_id').all(laneId) as Array<{ id: string }>
  return rows.map((r) => r.id)
}
