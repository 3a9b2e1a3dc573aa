/**
 * rescue-leases: work whose lease ran out (the process died, or a call hung past its lease) goes
 * back to its queue: running items to queued, routing batches to pending. Finalize re-claims its
 * own expired leases. At start-up every lease is rescued at once: one process owns the data dir.
 */
import { and, eq, inArray, lt, sql } from 'drizzle-orm'
import type { Deps } from '../deps'
import type { Db } from '../db/client'
import { writeTx } from '../db/tx'
import { batchesTable, transitionFrom } from '../features/batches/index'
import { itemsTable } from '../features/items/index'
import type { Job } from './scheduler'

/** Every batch status but the terminal ones. */
const OPEN_BATCH_STATUSES = ['creating', 'pending', 'queued', 'routing', 'dispatched', 'processing', 'completing']

/** Read-only probes: a tick with nothing to rescue takes no write lock (it runs every tick). */
const probes = new WeakMap<Db, { items: { all(v: { before: number }): unknown[] }; batches: { all(v: { before: number }): unknown[] } }>()

function anythingToRescue(deps: Deps, before: number): boolean {
  let p = probes.get(deps.db)
  if (!p) {
    const open = deps.db.select({ id: batchesTable.id }).from(batchesTable).where(inArray(batchesTable.status, OPEN_BATCH_STATUSES))
    p = {
      items: deps.db.select({ id: itemsTable.id }).from(itemsTable).where(and(inArray(itemsTable.batchId, open), eq(itemsTable.status, 'running'), lt(itemsTable.leaseUntil, sql.placeholder('before')))).limit(1).prepare(),
      batches: deps.db.select({ id: batchesTable.id }).from(batchesTable).where(and(eq(batchesTable.status, 'routing'), lt(batchesTable.leaseUntil, sql.placeholder('before')))).limit(1).prepare(),
    }
    probes.set(deps.db, p)
  }
  return p.items.all({ before }).length > 0 || p.batches.all({ before }).length > 0
}

/** Returns leased work whose lease ended before `before`; counts what moved. */
export function rescueLeases(deps: Deps, now: number, before: number): { items: number; batches: number } {
  if (!anythingToRescue(deps, before)) return { items: 0, batches: 0 }
  return writeTx(deps.db, () => {
    // Through the batches that can still have running items, so the (batch_id, status) index
    // finds them: a bare `status = 'running'` scans every item ever stored, on every tick.
    const open = deps.db.select({ id: batchesTable.id }).from(batchesTable).where(inArray(batchesTable.status, OPEN_BATCH_STATUSES))
    const items = deps.db.update(itemsTable).set({ status: 'queued', leaseUntil: null, nextAttemptAt: now }).where(and(inArray(itemsTable.batchId, open), eq(itemsTable.status, 'running'), lt(itemsTable.leaseUntil, before))).returning({ id: itemsTable.id }).all()
    const batches = deps.db.update(batchesTable).set({ status: 'pending', leaseUntil: null, nextAttemptAt: now }).where(and(inArray(batchesTable.status, transitionFrom(['routing'], 'pending')), lt(batchesTable.leaseUntil, before))).returning({ id: batchesTable.id }).all()
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
