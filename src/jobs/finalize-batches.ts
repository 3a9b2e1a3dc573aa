/**
 * finalize-batches: a batch whose items all have an outcome is claimed (status completing, leased),
 * its artifacts are written, its reservation settled from real usage (never above the reservation;
 * the rest released), and it ends completed — or cancelled/expired when that was its end intent.
 * The terminal webhook event is written in the same transaction as the terminal status.
 * Every step is idempotent, so a crash mid-way is finished by the next claim after the lease.
 */
import { and, eq, inArray, lt, notExists, or, sql } from 'drizzle-orm'
import type { Deps } from '../deps'
import type { Db } from '../db/client'
import { writeTx } from '../db/tx'
import { batchesTable, transitionFrom, writeArtifacts, type BatchRow } from '../features/batches/index'
import { itemsTable } from '../features/items/index'
import { lanesTable } from '../features/dispatch/index'
import { settleReservation } from '../features/credits/index'
import { enqueueBatchEventInTx, prepareArtifactUrl, terminalEventType } from '../features/webhooks/index'
import type { Job } from './scheduler'

const CLAIM = 5
const LEASE_MS = 5 * 60 * 1000

export const finalizeBatchesJob: Job = {
  name: 'finalize-batches',
  async run(deps, now) {
    const claimed = claimFinishedBatches(deps, now)
    for (const batch of claimed) await finalizeBatch(deps, batch)
    return claimed.length === CLAIM
  },
}

/** Per database: the "finished batches" query, prepared once (it runs every tick and after every outcome flush). */
const dueStatements = new WeakMap<Db, { all(v: { now: number }): Array<{ id: string }> }>()

function dueStatement(deps: Deps) {
  let statement = dueStatements.get(deps.db)
  if (!statement) {
    const unfinished = deps.db.select({ one: sql`1` }).from(itemsTable).where(and(eq(itemsTable.batchId, batchesTable.id), inArray(itemsTable.status, ['pending', 'queued', 'running'])))
    statement = deps.db.select({ id: batchesTable.id }).from(batchesTable)
      .where(or(and(inArray(batchesTable.status, ['pending', 'queued', 'dispatched', 'processing']), notExists(unfinished)), and(eq(batchesTable.status, 'completing'), lt(batchesTable.leaseUntil, sql.placeholder('now')))))
      .limit(CLAIM).prepare()
    dueStatements.set(deps.db, statement)
  }
  return statement
}

/** Where finalize may take a batch from: any unfinished status (routing is leased by its job), or a lapsed completing lease. */
const FINALIZE_SOURCES = transitionFrom(['pending', 'queued', 'dispatched', 'processing', 'completing'], 'completing')

function claimFinishedBatches(deps: Deps, now: number): BatchRow[] {
  const dueNow = () => dueStatement(deps).all({ now })
  // Read first: most passes (every tick, every outcome flush) find nothing and take no write lock.
  if (dueNow().length === 0) return []
  return writeTx(deps.db, () => {
    const due = dueNow()
    if (due.length === 0) return []
    return deps.db.update(batchesTable).set({ status: 'completing', finalizingAt: sql`coalesce(${batchesTable.finalizingAt}, ${now})`, leaseUntil: now + LEASE_MS, updatedAt: now })
      .where(and(inArray(batchesTable.id, due.map((d) => d.id)), inArray(batchesTable.status, FINALIZE_SOURCES))).returning().all()
  })
}

/** Artifacts, settlement, terminal status + webhook event — in that order, each safe to repeat. */
export async function finalizeBatch(deps: Deps, batch: BatchRow): Promise<void> {
  const files = await writeArtifacts(deps, batch)
  const charge = deps.db.select({ cost: sql<number>`coalesce(sum(${itemsTable.costMicros}), 0)` }).from(itemsTable).where(and(eq(itemsTable.batchId, batch.id), eq(itemsTable.status, 'completed'))).get()
  const reservation = batch.reservationId ? settleReservation(deps, batch.reservationId, Number(charge?.cost ?? 0)) : null
  const now = deps.clock.now()
  const end = (batch.endIntent as 'cancelled' | 'expired' | 'failed' | null) ?? 'completed'
  const stamp = end === 'completed' ? { completedAt: now } : end === 'cancelled' ? { cancelledAt: now } : end === 'expired' ? { expiredAt: now } : { failedAt: now }
  // jose signs asynchronously, so the link in the event body is made before the transaction.
  const artifactUrl = await prepareArtifactUrl(deps, batch)
  writeTx(deps.db, () => {
    const [ended] = deps.db.update(batchesTable).set({ status: end, ...stamp, outputFileId: files.outputFileId, errorFileId: files.errorFileId, chargedMicros: reservation?.charged ?? 0, leaseUntil: null, updatedAt: now })
      .where(and(eq(batchesTable.id, batch.id), inArray(batchesTable.status, transitionFrom(['completing'], end)))).returning().all()
    deps.db.update(lanesTable).set({ status: end }).where(eq(lanesTable.batchId, batch.id)).run()
    if (ended) enqueueBatchEventInTx(deps, ended, terminalEventType(end), now, { artifactUrl })
  })
  deps.nudge('deliver-webhooks')
  deps.log.info('batch finalized', { batch_id: batch.id, status: end, charged_micros: reservation?.charged ?? 0 })
}
