/** Cancelling a batch: unfinished items stop now, finished ones are kept, finalize settles the rest. */
import { and, eq, inArray, isNull } from 'drizzle-orm'
import type { Deps } from '../../deps'
import { writeTx } from '../../db/tx'
import { AppError } from '../../lib/errors'
import { isTerminal, type EndIntent } from './state'
import { batchesTable, type BatchRow } from './table'
import { itemsTable } from '../items/index'
import { getBatchForOrg } from './queries'

/** Marks the batch to end as `intent` and stops its pending/queued items; in-flight calls are aborted by the dispatcher. */
export function stopBatchInTx(deps: Deps, batchId: string, intent: EndIntent, now: number): void {
  const errorCode = intent === 'cancelled' ? 'batch_cancelled' : 'batch_expired'
  const message = intent === 'cancelled' ? 'The batch was cancelled before this item ran.' : 'The SLA deadline passed before this item ran.'
  deps.db
    .update(batchesTable)
    .set({ endIntent: intent, updatedAt: now, nextAttemptAt: now, ...(intent === 'cancelled' ? { cancellingAt: now } : {}) })
    .where(and(eq(batchesTable.id, batchId), isNull(batchesTable.endIntent)))
    .run()
  deps.db
    .update(itemsTable)
    .set({ status: intent === 'cancelled' ? 'cancelled' : 'expired', errorCode, errorMessage: message, completedAt: now, leaseUntil: null })
    .where(and(eq(itemsTable.batchId, batchId), inArray(itemsTable.status, ['pending', 'queued'])))
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
