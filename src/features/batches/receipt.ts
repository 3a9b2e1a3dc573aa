/** The routing receipt: every lane considered per item group, and every re-route with its cause. */
import { asc, eq } from 'drizzle-orm'
import type { Deps } from '../../deps'
import { toIso } from '../../lib/clock'
import { routingDecisionsTable, type BatchRow } from './table'
import { batchLanes } from './queries'

export function routingReceipt(deps: Deps, batch: BatchRow) {
  const decisions = deps.db.select().from(routingDecisionsTable).where(eq(routingDecisionsTable.batchId, batch.id)).orderBy(asc(routingDecisionsTable.id)).all()
  return {
    object: 'routing_receipt' as const,
    batch_id: batch.id,
    routing_mode: batch.routingMode,
    privacy_tier: batch.privacyTier,
    sla_tier: batch.slaTier,
    sla_deadline: toIso(batch.slaDeadline),
    decisions: decisions.map((d) => ({ kind: d.kind, model: d.model, operation: d.operation, at: toIso(d.createdAt), ...(d.detail as object) })),
    lanes: batchLanes(deps, batch.id).map((l) => ({ lane_id: l.id, model: l.model, operation: l.operation, provider: l.provider, offering_id: l.offeringId, item_count: l.itemCount, status: l.status, fallback_order: l.fallbacks })),
  }
}
