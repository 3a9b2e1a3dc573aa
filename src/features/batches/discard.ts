/** Removing half-created batches: a refused create, or a crash between its transactions. */
import { and, eq, inArray } from 'drizzle-orm'
import { rmSync } from 'node:fs'
import { join } from 'node:path'
import type { Deps } from '../../deps'
import { writeTx } from '../../db/tx'
import { filesTable } from '../files/table'
import { batchesTable, itemsTable } from './table'

/** Deletes a `creating` batch, its items and (for inline items) the file written for it. */
export function discardCreatingBatch(deps: Deps, batchId: string, ownFileId: string | null): void {
  const file = ownFileId ? deps.db.select().from(filesTable).where(eq(filesTable.id, ownFileId)).get() : undefined
  writeTx(deps.db, () => {
    deps.db.delete(itemsTable).where(eq(itemsTable.batchId, batchId)).run()
    deps.db.delete(batchesTable).where(and(eq(batchesTable.id, batchId), eq(batchesTable.status, 'creating'))).run()
    if (file) deps.db.delete(filesTable).where(eq(filesTable.id, file.id)).run()
  })
  if (file) rmSync(join(deps.paths.dataDir, file.path), { force: true })
}

/** Start-up sweep: batches left in `creating` by a crash are discarded. */
export function sweepCreatingBatches(deps: Deps): number {
  const rows = deps.db.select({ id: batchesTable.id, inputFileId: batchesTable.inputFileId, shape: batchesTable.shape }).from(batchesTable).where(inArray(batchesTable.status, ['creating'])).all()
  for (const r of rows) {
    const inline = deps.db.select().from(filesTable).where(and(eq(filesTable.id, r.inputFileId), eq(filesTable.filename, 'inline-items.jsonl'))).get()
    discardCreatingBatch(deps, r.id, inline?.id ?? null)
  }
  return rows.length
}
