/** Lane writes, each guarded by the lane state machine: routing creates lanes and abandons them, finalize ends them. */
import { and, eq, inArray, sql } from 'drizzle-orm'
import type { Deps } from '../../deps'
import type { Db } from '../../db/client'
import { laneTransitionFrom, type LaneStatus } from './state'
import { lanesTable, type LaneRow } from './table'

/** A lane as routing creates it (status `dispatched`). */
export type NewLane = Omit<typeof lanesTable.$inferInsert, 'status'>

/** Per database: the lanes-of-a-batch read, prepared once (every batch GET presents the lanes). */
const lanesOfBatchStatements = new WeakMap<Db, { all(v: { batchId: string }): LaneRow[] }>()

/** The batch's lanes in creation order. */
export function lanesOfBatch(deps: Deps, batchId: string): LaneRow[] {
  let statement = lanesOfBatchStatements.get(deps.db)
  if (!statement) {
    statement = deps.db.select().from(lanesTable).where(eq(lanesTable.batchId, sql.placeholder('batchId'))).orderBy(lanesTable.createdAt, lanesTable.id).prepare()
    lanesOfBatchStatements.set(deps.db, statement)
  }
  return statement.all({ batchId })
}

/** Inserts a `dispatched` lane inside the caller's transaction. */
export function insertLaneInTx(deps: Deps, lane: NewLane): void {
  deps.db.insert(lanesTable).values({ ...lane, status: 'dispatched' }).run()
}

/** Adds `delta` items to a lane's count (never below zero), inside the caller's transaction. */
export function addLaneItemsInTx(deps: Deps, laneId: string, delta: number): void {
  deps.db.update(lanesTable).set({ itemCount: sql`max(0, ${lanesTable.itemCount} + ${delta})` }).where(eq(lanesTable.id, laneId)).run()
}

/** Failover left the lane with nothing to run: `rerouted` (a lane already ended keeps its status). */
export function markLaneReroutedInTx(deps: Deps, laneId: string): void {
  deps.db.update(lanesTable).set({ status: 'rerouted' }).where(and(eq(lanesTable.id, laneId), inArray(lanesTable.status, laneTransitionFrom(['dispatched'], 'rerouted')))).run()
}

/** Finalize: every lane of the batch ends with it. */
export function endLanesInTx(deps: Deps, batchId: string, end: Extract<LaneStatus, 'completed' | 'failed' | 'cancelled' | 'expired'>): void {
  deps.db.update(lanesTable).set({ status: end }).where(and(eq(lanesTable.batchId, batchId), inArray(lanesTable.status, laneTransitionFrom(['dispatched', 'rerouted'], end)))).run()
}
