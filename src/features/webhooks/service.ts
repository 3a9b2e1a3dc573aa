/** Reading the delivery log of a batch (GET /v1/batches/{id}/webhook-deliveries). */
import { and, asc, eq, gt, inArray, or } from 'drizzle-orm'
import type { Deps } from '../../deps'
import { pageLimit } from '../../lib/paging'
import { getBatchForOrg } from '../batches/index'
import { presentDelivery } from './present'
import { webhookDeliveriesTable, webhookEventsTable } from './table'

/**
 * The batch's events, oldest first, each with every attempt. 404 for an unknown batch or
 * another org's. `after` is an event id of this batch (the cursor of the previous page).
 */
export function listWebhookDeliveries(deps: Deps, orgId: string, batchId: string, q: { after?: string; limit?: number }) {
  getBatchForOrg(deps, orgId, batchId)
  const limit = pageLimit(q.limit)
  const cursor = q.after ? deps.db.select().from(webhookEventsTable).where(and(eq(webhookEventsTable.id, q.after), eq(webhookEventsTable.batchId, batchId))).get() : undefined
  const after = cursor ? or(gt(webhookEventsTable.createdAt, cursor.createdAt), and(eq(webhookEventsTable.createdAt, cursor.createdAt), gt(webhookEventsTable.id, cursor.id))) : undefined
  const rows = deps.db.select().from(webhookEventsTable).where(and(eq(webhookEventsTable.batchId, batchId), after))
    .orderBy(asc(webhookEventsTable.createdAt), asc(webhookEventsTable.id)).limit(limit + 1).all()
  const page = rows.slice(0, limit)
  const attempts = page.length === 0 ? [] : deps.db.select().from(webhookDeliveriesTable).where(inArray(webhookDeliveriesTable.eventId, page.map((e) => e.id))).orderBy(asc(webhookDeliveriesTable.attempt)).all()
  const data = page.map((e) => presentDelivery(e, attempts.filter((a) => a.eventId === e.id)))
  return { object: 'list' as const, data, first_id: data[0]?.id ?? null, last_id: data.at(-1)?.id ?? null, has_more: rows.length > limit }
}
