/** Removing half-created batches: a refused create, or a crash between its transactions. */
import { and, eq, inArray } from 'drizzle-orm'
import { rmSync } from 'node:fs'
import type { Deps } from '../../deps'
import { writeTx } from '../../db/tx'
import { removeFileRowInTx } from '../files/index'
import { itemsTable } from '../items/index'
import { batchesTable } from './table'

/** Deletes a `creating` batch, its items and (for inline items) the file written for it. */
export function discardCreatingBatch(deps: Deps, batchId: string, ownFileId: string | null): void {
  const path = writeTx(deps.db, () => {
    deps.db.delete(itemsTable).where(eq(itemsTable.batchId, batchId)).run()
    deps.db.delete(batchesTable).where(and(eq(batchesTable.id, batchId), eq(batchesTable.status, 'creating'))).run()
    return ownFileId ? removeFileRowInTx(deps, ownFileId) : null
  })
  if (path) rmSync(path, { force: true })
}

/**
 * Start-up sweep: batches left in `creating` by a crash are discarded with their items. (A
 * `creating` row never names its inline-items file: the final transaction sets it.)
 */
export function sweepCreatingBatches(deps: Deps): number {
  const rows = deps.db.select({ id: batchesTable.id }).from(batchesTable).where(inArray(batchesTable.status, ['creating'])).all()
  for (const r of rows) discardCreatingBatch(deps, r.id, null)
  return rows.length
}
