/**
 * rescue-leases: work whose lease ran out (the process died, or a call hung past its lease) goes
 * back to its queue: running items to queued, routing batches to pending. Finalize re-claims its
 * own expired leases. At start-up every lease is rescued at once: one process owns the data dir.
 */
import { and, eq, lt } from 'drizzle-orm'
import type { Deps } from '../deps'
import { writeTx } from '../db/tx'
import { batchesTable, itemsTable } from '../features/batches/index'
import type { Job } from './scheduler'

/** Returns leased work whose lease ended before `before`; counts what moved. */
export function rescueLeases(deps: Deps, now: number, before: number): { items: number; batches: number } {
  return writeTx(deps.db, () => {
    const items = deps.db.update(itemsTable).set({ status: 'queued', leaseUntil: null, nextAttemptAt: now }).where(and(eq(itemsTable.status, 'running'), lt(itemsTable.leaseUntil, before))).returning({ id: itemsTable.id }).all()
    const batches = deps.db.update(batchesTable).set({ status: 'pending', leaseUntil: null, nextAttemptAt: now }).where(and(eq(batchesTable.status, 'routing'), lt(batchesTable.leaseUntil, before))).returning({ id: batchesTable.id }).all()
    return { items: items.length, batches: batches.length }
  })
}

export const rescueLeasesJob: Job = {
  name: 'rescue-leases',
  run(deps, now) {
    const moved = rescueLeases(deps, now, now)
    if (moved.items > 0) deps.nudge('dispatch-items')
    if (moved.batches > 0) deps.nudge('route-batches')
    return false
  },
}
