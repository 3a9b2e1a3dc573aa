/**
 * Stopping a batch early: a cancel on request, or expiry at the SLA deadline. Unfinished items
 * stop now, finished ones are kept, in-flight provider work is aborted (`deps.stopBatchWork`) and
 * finalize settles the rest.
 */
import { and, eq, inArray, isNull, lte, sql } from 'drizzle-orm'
import type { Deps } from '../../deps'
import type { Db } from '../../db/client'
import { writeTx } from '../../db/tx'
import { AppError } from '../../lib/errors'
import { itemsTable, itemTransitionFrom } from '../items/index'
import { isTerminal, type EndIntent } from './state'
import { batchesTable, type BatchRow } from './table'
import { getBatchForOrg } from './queries'

/** Batches examined per expiry pass. */
export const EXPIRE_CLAIM = 20

/** Marks the batch to end as `intent` and stops its pending/queued items; in-flight calls are aborted by the runners. */
export function stopBatchInTx(deps: Deps, batchId: string, intent: EndIntent, now: number): void {
  const status = intent === 'cancelled' ? 'cancelled' : 'expired'
  const errorCode = intent === 'cancelled' ? 'batch_cancelled' : 'batch_expired'
  const message = intent === 'cancelled' ? 'The batch was cancelled before this item ran.' : 'The SLA deadline passed before this item ran.'
  deps.db
    .update(batchesTable)
    .set({ endIntent: intent, updatedAt: now, nextAttemptAt: now, ...(intent === 'cancelled' ? { cancellingAt: now } : {}) })
    .where(and(eq(batchesTable.id, batchId), isNull(batchesTable.endIntent)))
    .run()
  deps.db
    .update(itemsTable)
    .set({ status, errorCode, errorMessage: message, completedAt: now, leaseId: null })
    .where(and(eq(itemsTable.batchId, batchId), inArray(itemsTable.status, itemTransitionFrom(['pending', 'queued'], status))))
    .run()
}

/** POST /v1/batches/{id}/cancel: 409 once terminal; otherwise returns the updated row. */
export function cancelBatch(deps: Deps, orgId: string, batchId: string): BatchRow {
  const now = deps.clock.now()
  const row = writeTx(deps.db, () => {
    const batch = getBatchForOrg(deps, orgId, batchId)
    if (isTerminal(batch.status)) throw new AppError('batch_not_cancellable', { message: `Batch ${batchId} is already ${batch.status}; only unfinished batches can be cancelled.` })
    if (batch.endIntent === null) stopBatchInTx(deps, batchId, 'cancelled', now)
    return getBatchForOrg(deps, orgId, batchId)
  })
  deps.stopBatchWork(batchId)
  deps.nudge('finalize-batches')
  return row
}

/** Per database: the "past its deadline" query, prepared once (it runs every tick). */
const dueStatements = new WeakMap<Db, { all(v: { now: number }): Array<{ id: string }> }>()

function dueStatement(deps: Deps) {
  let statement = dueStatements.get(deps.db)
  if (!statement) {
    statement = deps.db.select({ id: batchesTable.id }).from(batchesTable)
      .where(and(inArray(batchesTable.status, ['pending', 'queued', 'routing', 'dispatched', 'processing']), lte(batchesTable.slaDeadline, sql.placeholder('now')), isNull(batchesTable.endIntent)))
      .limit(EXPIRE_CLAIM).prepare()
    dueStatements.set(deps.db, statement)
  }
  return statement
}

/**
 * Marks up to EXPIRE_CLAIM batches past their SLA deadline to end `expired` and stops their
 * waiting items; returns their ids (the caller aborts their in-flight work). An idle pass only reads.
 */
export function expireDueBatches(deps: Deps, now: number): string[] {
  const dueNow = () => dueStatement(deps).all({ now })
  if (dueNow().length === 0) return []
  return writeTx(deps.db, () => {
    const due = dueNow()
    for (const b of due) stopBatchInTx(deps, b.id, 'expired', now)
    return due.map((b) => b.id)
  })
}
