/**
 * expire-batches: a batch past its SLA deadline stops its unfinished items (in-flight calls are
 * aborted), keeps what finished, and is handed to finalize, which ends it `expired`.
 */
import { and, inArray, isNull, lte, sql } from 'drizzle-orm'
import type { Deps } from '../deps'
import type { Db } from '../db/client'
import { writeTx } from '../db/tx'
import { batchesTable, stopBatchInTx } from '../features/batches/index'
import type { Job } from './scheduler'

const CLAIM = 20

/** Per database: the "past its deadline" query, prepared once (it runs every tick). */
const dueStatements = new WeakMap<Db, { all(v: { now: number }): Array<{ id: string }> }>()

function dueStatement(deps: Deps) {
  let statement = dueStatements.get(deps.db)
  if (!statement) {
    statement = deps.db.select({ id: batchesTable.id }).from(batchesTable)
      .where(and(inArray(batchesTable.status, ['pending', 'queued', 'routing', 'dispatched', 'processing']), lte(batchesTable.slaDeadline, sql.placeholder('now')), isNull(batchesTable.endIntent)))
      .limit(CLAIM).prepare()
    dueStatements.set(deps.db, statement)
  }
  return statement
}

export const expireBatchesJob: Job = {
  name: 'expire-batches',
  run(deps, now) {
    const dueNow = () => dueStatement(deps).all({ now })
    // Read first: a tick with nothing due takes no write lock (this runs every tick).
    if (dueNow().length === 0) return false
    const expired = writeTx(deps.db, () => {
      const due = dueNow()
      for (const b of due) stopBatchInTx(deps, b.id, 'expired', now)
      return due
    })
    for (const b of expired) deps.stopBatchWork(b.id)
    if (expired.length > 0) deps.nudge('finalize-batches')
    return expired.length === CLAIM
  },
}
