/**
 * Finalizing a batch whose items all have an outcome (claimed `completing` under a lease): its
 * artifacts are written, its reservation settled from real usage (never above the reservation;
 * the rest released), and it ends completed — or cancelled/expired when that was its end intent —
 * with its lanes. The terminal event (features/webhooks, handed in) is written in the same
 * transaction as the terminal status. Every step is idempotent, so a crash mid-way is finished by
 * the next claim after the lease lapses.
 */
import { and, eq, inArray, sql } from 'drizzle-orm'
import type { Deps } from '../../deps'
import { writeTx } from '../../db/tx'
import { settleReservation } from '../credits/index'
import { endLanesInTx, endLeaseInTx } from '../dispatch/index'
import { itemsTable } from '../items/index'
import { writeArtifacts } from './artifacts'
import { transitionFrom } from './state'
import { batchesTable, type BatchRow } from './table'
import { FINALIZING_LEASES } from './work'

/** The terminal event of a batch (features/webhooks): its signed link made first (jose is async), then written in the terminal transaction. */
export interface TerminalEvent {
  prepare(deps: Deps, batch: BatchRow): Promise<string | null>
  writeInTx(deps: Deps, ended: BatchRow, now: number, artifactUrl: string | null): void
}

/** Artifacts, settlement, terminal status + event — in that order, each safe to repeat. */
export async function finalizeBatch(deps: Deps, batch: BatchRow, event: TerminalEvent): Promise<void> {
  const files = await writeArtifacts(deps, batch)
  const charge = deps.db.select({ cost: sql<number>`coalesce(sum(${itemsTable.costMicros}), 0)` }).from(itemsTable).where(and(eq(itemsTable.batchId, batch.id), eq(itemsTable.status, 'completed'))).get()
  const reservation = batch.reservationId ? settleReservation(deps, batch.reservationId, Number(charge?.cost ?? 0)) : null
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
