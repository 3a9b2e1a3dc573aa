/**
 * The batch side of the work queue: batches leased for routing and for finalizing (through the
 * one lease helper of features/dispatch), the status their routing ends in, and what runners are
 * told of a batch (the ports of dispatch: its facts, and its move to `processing`).
 */
import type { Statement } from 'bun:sqlite'
import { and, eq, getTableColumns, inArray, sql } from 'drizzle-orm'
import type { Deps } from '../../deps'
import type { Db } from '../../db/client'
import { writeTx } from '../../db/tx'
import { capCosts } from '../../lib/money'
import { defineClaim, endLeaseInTx, sqlList, type LeaseKind, type WorkBatch, endLanesInTx } from '../dispatch/index'
import { UNFINISHED_ITEM_STATUSES, itemsTable } from '../items/index'
import type { RouteResult } from '../routing/index'
import { transitionFrom } from './state'
import { batchesTable, type BatchRow } from './table'
import { getReservation, settleReservation } from '../credits/index'
import { writeArtifacts } from './results'

/** A batch whose routing lease lapsed goes back to `pending` and is routed again (its lanes are refilled, not recreated). */
export const ROUTING_LEASES: LeaseKind & { table: typeof batchesTable } = {
  name: 'batch-routing',
  table: batchesTable,
  giveBack: { set: `status = 'pending', next_attempt_at = $now`, where: `status IN (${sqlList(transitionFrom(['routing'], 'pending'))})` },
  nudge: 'route-batches',
}

/** A batch whose finalizing lease lapsed stays `completing`; finalize claims it again (every step is idempotent). */
export const FINALIZING_LEASES: LeaseKind & { table: typeof batchesTable } = { name: 'batch-finalizing', table: batchesTable, nudge: 'finalize-batches' }

const ALL_FIELDS = Object.keys(getTableColumns(batchesTable)) as Array<keyof BatchRow>

/** Due pending/queued batches, oldest first: → routing. */
export const claimBatchesToRoute = defineClaim({
  kind: ROUTING_LEASES,
  where: `status IN (${sqlList(transitionFrom(['pending', 'queued'], 'routing'))}) AND next_attempt_at <= $now AND end_intent IS NULL`,
  orderBy: 'next_attempt_at',
  set: `status = 'routing', updated_at = $now`,
  returning: ALL_FIELDS,
})

/** Where finalize may take a batch from: any unfinished status whose items all have an outcome (routing is leased by its job), or a `completing` one left by a lapsed lease. */
const FINALIZE_SOURCES = transitionFrom(['pending', 'queued', 'dispatched', 'processing'], 'completing')

/** Batches whose every item has an outcome: → completing. */
export const claimFinishedBatches = defineClaim({
  kind: FINALIZING_LEASES,
  where: `(status IN (${sqlList(FINALIZE_SOURCES)}) AND NOT EXISTS (SELECT 1 FROM items WHERE items.batch_id = batches.id AND items.status IN (${sqlList(UNFINISHED_ITEM_STATUSES)}))) OR status IN (${sqlList(transitionFrom(['completing'], 'completing'))})`,
  orderBy: 'next_attempt_at',
  set: `status = 'completing', finalizing_at = coalesce(finalizing_at, $now), updated_at = $now`,
  returning: ALL_FIELDS,
})

/** A batch waiting for a lane is routed again after this. */
export const WAIT_RETRY_MS = 30_000

/**
 * Makes every batch waiting for a lane due now (lanes just appeared: an edge node came online), so
 * it is routed on the next pass instead of after the rest of its 30 s wait. Returns how many.
 */
export function retryWaitingBatches(deps: Deps, now: number): number {
  return deps.db.$client.prepare(`UPDATE batches SET next_attempt_at = ? WHERE status = 'queued' AND next_attempt_at > ? AND end_intent IS NULL`).run(now, now).changes
}

/**
 * Records where routing left the batch — dispatched, or queued to retry in 30 s — and lets go of
 * its routing lease. The batches of one claim share that lease: it ends with the last of them, so
 * ending it never gives a batch the same pass has yet to route back to `pending`.
 */
export function recordRouted(deps: Deps, batch: Pick<BatchRow, 'id' | 'inProgressAt' | 'leaseId'>, result: RouteResult, now: number): void {
  writeTx(deps.db, () => {
    const fields = result.kind === 'dispatched'
      ? { status: 'dispatched' as const, inProgressAt: batch.inProgressAt ?? now, lastError: null }
      : { status: 'queued' as const, nextAttemptAt: now + WAIT_RETRY_MS, lastError: result.reason }
    deps.db.update(batchesTable).set({ ...fields, leaseId: null, updatedAt: now }).where(and(eq(batchesTable.id, batch.id), inArray(batchesTable.status, transitionFrom(['routing'], fields.status)))).run()
    // Rows still holding the lease are `routing` (the status index finds them among few).
    const shared = batch.leaseId && deps.db.select({ id: batchesTable.id }).from(batchesTable).where(and(eq(batchesTable.status, 'routing'), eq(batchesTable.leaseId, batch.leaseId))).limit(1).get()
    if (batch.leaseId && !shared) endLeaseInTx(deps, ROUTING_LEASES, batch.leaseId, now)
  })
}

/** The facts runners need of a batch (dispatch's `WorkPorts.batch`). */
export function workBatchOf(deps: Deps, batchId: string): WorkBatch | undefined {
  return deps.db.select({ id: batchesTable.id, orgId: batchesTable.orgId, inputPath: batchesTable.inputPath, endIntent: batchesTable.endIntent, slaDeadline: batchesTable.slaDeadline, lockedRates: batchesTable.lockedRates }).from(batchesTable).where(eq(batchesTable.id, batchId)).get()
}

/** Per database: dispatched → processing, prepared once (it runs inside every claim transaction). */
const startStatements = new WeakMap<Db, Statement>()

/** Items of these batches were just claimed: each still `dispatched` is now `processing` (dispatch's `WorkPorts.startedInTx`). */
export function startBatchesInTx(deps: Deps, batchIds: ReadonlySet<string>, now: number): void {
  let statement = startStatements.get(deps.db)
  if (!statement) {
    statement = deps.db.$client.prepare(`UPDATE batches SET status = 'processing', updated_at = ? WHERE id = ? AND status IN (${sqlList(transitionFrom(['dispatched'], 'processing'))})`)
    startStatements.set(deps.db, statement)
  }
  for (const id of batchIds) statement.run(now, id)
}

// ---- Finalizing a batch whose items all have an outcome (claimed `completing` under a lease): its
// artifacts are written, its reservation settled from real usage (never above the reservation;
// the rest released), and it ends completed — or cancelled/expired when that was its end intent —
// with its lanes. The terminal event (features/webhooks, handed in) is written in the same
// transaction as the terminal status. Every step is idempotent, so a crash mid-way is finished by
// the next claim after the lease lapses.

/** Σ cost of a batch's completed items. */
function completedCost(deps: Deps, batchId: string): number {
  const row = deps.db.select({ cost: sql<number>`coalesce(sum(${itemsTable.costMicros}), 0)` }).from(itemsTable).where(and(eq(itemsTable.batchId, batchId), eq(itemsTable.status, 'completed'))).get()
  return Number(row?.cost ?? 0)
}

/**
 * Price protection, kept reconciled: a batch is never charged more than it reserved, and when its
 * items' costs add up to more (usage above the estimate), the excess is written off the items that
 * finished last, so Σ item cost = Σ lane settled = charged, always. Before the artifacts are
 * written (they show item costs); idempotent (a settled reservation caps at what it charged).
 * Returns the charge.
 */
export function capItemCosts(deps: Deps, batch: Pick<BatchRow, 'id' | 'reservationId'>): number {
  return writeTx(deps.db, () => {
    const total = completedCost(deps, batch.id)
    const reservation = batch.reservationId ? getReservation(deps, batch.reservationId) : undefined
    if (!reservation) return total
    const cap = reservation.status === 'settled' ? reservation.charged : reservation.amount
    if (total <= cap) return total
    const lastFirst = deps.db.select({ id: itemsTable.id, cost: itemsTable.costMicros }).from(itemsTable).where(and(eq(itemsTable.batchId, batch.id), eq(itemsTable.status, 'completed'), sql`${itemsTable.costMicros} > 0`)).orderBy(sql`${itemsTable.completedAt} DESC`, sql`${itemsTable.seq} DESC`).all()
    const capped = capCosts(lastFirst.map((i) => i.cost ?? 0), cap)
    lastFirst.forEach((item, k) => {
      if (capped[k] !== item.cost) deps.db.update(itemsTable).set({ costMicros: capped[k]! }).where(eq(itemsTable.id, item.id)).run()
    })
    deps.log.info('item costs capped at the reservation', { batch_id: batch.id, written_off_micros: total - cap })
    return cap
  })
}

/** The terminal event of a batch (features/webhooks): its signed link made first (jose is async), then written in the terminal transaction. */
export interface TerminalEvent {
  prepare(deps: Deps, batch: BatchRow): Promise<string | null>
  writeInTx(deps: Deps, ended: BatchRow, now: number, artifactUrl: string | null): void
}

/** Artifacts, settlement, terminal status + event — in that order, each safe to repeat. */
export async function finalizeBatch(deps: Deps, batch: BatchRow, event: TerminalEvent): Promise<void> {
  const charge = capItemCosts(deps, batch)
  const files = await writeArtifacts(deps, batch)
  const reservation = batch.reservationId ? settleReservation(deps, batch.reservationId, charge) : null
  const now = deps.clock.now()
  const end = batch.endIntent ?? 'completed'
  const stamp = end === 'completed' ? { completedAt: now } : end === 'cancelled' ? { cancelledAt: now } : end === 'expired' ? { expiredAt: now } : { failedAt: now }
  const artifactUrl = await event.prepare(deps, batch)
  writeTx(deps.db, () => {
    const [ended] = deps.db.update(batchesTable).set({ status: end, ...stamp, outputFileId: files.outputFileId, errorFileId: files.errorFileId, chargedMicros: reservation?.charged ?? 0, leaseId: null, updatedAt: now })
      .where(and(eq(batchesTable.id, batch.id), inArray(batchesTable.status, transitionFrom(['completing'], end)))).returning().all()
    endLanesInTx(deps, batch.id, end)
    if (ended) event.writeInTx(deps, ended, now, artifactUrl)
    if (batch.leaseId) endLeaseInTx(deps, FINALIZING_LEASES, batch.leaseId, now)
  })
  deps.nudge('deliver-webhooks')
  deps.log.info('batch finalized', { batch_id: batch.id, status: end, charged_micros: reservation?.charged ?? 0 })
}
