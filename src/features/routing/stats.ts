/**
 * Observed statistics, the stored part: finished lanes are folded into lane_outcomes (by the route
 * job, and by failover when it abandons a lane), and routing reads a rolling window per offering —
 * the last 50 finished lanes of the last 7 days — as turnaround, failure and expiry figures.
 */
import { and, desc, eq, gte, inArray, isNull, max, sql } from 'drizzle-orm'
import type { Deps } from '../../deps'
import type { Db } from '../../db/client'
import { writeTx } from '../../db/tx'
import { lanesTable, type LaneStatus } from '../dispatch/index'
import { itemsTable } from '../items/index'
import { laneOutcomesTable, type LaneOutcomeStatus } from './table'
import { summarizeOutcomes } from './observed'
import type { ObservedStats } from './types'

/** Rolling window of observed statistics. */
export const STATS_WINDOW_MS = 7 * 24 * 3600 * 1000
export const STATS_WINDOW_LANES = 50
const HARVEST_LIMIT = 200
const READ_LIMIT = 5000
const FINISHED_LANE_STATUSES = ['completed', 'failed', 'expired', 'cancelled'] as const satisfies readonly LaneStatus[]

/** A lane status that is finished (its outcome can be recorded). */
function isFinishedLane(status: LaneStatus): status is (typeof FINISHED_LANE_STATUSES)[number] {
  return (FINISHED_LANE_STATUSES as readonly LaneStatus[]).includes(status)
}

/** One finished lane's outcome, as failover or the harvest records it. */
export interface LaneOutcomeRecord {
  laneId: string
  offeringId: string
  batchId: string
  status: LaneOutcomeStatus
  startedAt: number
  finishedAt: number
  turnaroundMs: number | null
  completed: number
  failed: number
  expired: number
}

/** Records one lane's outcome inside the caller's transaction; a lane already recorded is left as it is. */
export function recordLaneOutcomeInTx(deps: Deps, outcome: LaneOutcomeRecord): void {
  deps.db.insert(laneOutcomesTable).values(outcome).onConflictDoNothing().run()
}

/** Per database: the read-only probe behind `hasLanesToHarvest`, prepared once (it runs on every route tick). */
const harvestProbes = new WeakMap<Db, { all(): unknown[] }>()

/**
 * Whether any finished lane still lacks its outcome — a read with a statement prepared once, so the
 * route job takes no write transaction (and builds no SQL) on the ticks where there is nothing to fold.
 */
export function hasLanesToHarvest(deps: Deps): boolean {
  let probe = harvestProbes.get(deps.db)
  if (!probe) {
    probe = deps.db
      .select({ id: lanesTable.id })
      .from(lanesTable)
      .leftJoin(laneOutcomesTable, eq(laneOutcomesTable.laneId, lanesTable.id))
      .where(and(inArray(lanesTable.status, FINISHED_LANE_STATUSES), isNull(laneOutcomesTable.laneId)))
      .limit(1)
      .prepare()
    harvestProbes.set(deps.db, probe)
  }
  return probe.all().length > 0
}

/** Folds finished lanes into lane_outcomes when there are any (a read first: most route ticks have none). */
export function harvestLaneOutcomes(deps: Deps, now: number): number {
  return hasLanesToHarvest(deps) ? writeTx(deps.db, () => harvestLaneOutcomesInTx(deps, now)) : 0
}

/**
 * Folds lanes of finished batches that have no outcome yet into lane_outcomes (at most 200 per
 * call; returns how many). Turnaround is lane creation → last completed or failed item, and only
 * when none of its items expired or was cancelled. Call inside a write transaction.
 */
export function harvestLaneOutcomesInTx(deps: Deps, now: number): number {
  const lanes = deps.db
    .select({ id: lanesTable.id, batchId: lanesTable.batchId, offeringId: lanesTable.offeringId, status: lanesTable.status, createdAt: lanesTable.createdAt })
    .from(lanesTable)
    .leftJoin(laneOutcomesTable, eq(laneOutcomesTable.laneId, lanesTable.id))
    .where(and(inArray(lanesTable.status, FINISHED_LANE_STATUSES), isNull(laneOutcomesTable.laneId)))
    .limit(HARVEST_LIMIT)
    .all()
  if (lanes.length === 0) return 0
  const rows = deps.db
    .select({ laneId: itemsTable.laneId, status: itemsTable.status, n: sql<number>`count(*)`, last: max(itemsTable.completedAt) })
    .from(itemsTable)
    .where(and(inArray(itemsTable.batchId, [...new Set(lanes.map((l) => l.batchId))]), inArray(itemsTable.laneId, lanes.map((l) => l.id))))
    .groupBy(itemsTable.laneId, itemsTable.status)
    .all()
  for (const lane of lanes) {
    if (!isFinishedLane(lane.status)) continue
    const mine = rows.filter((r) => r.laneId === lane.id)
    const count = (status: string) => Number(mine.find((r) => r.status === status)?.n ?? 0)
    const finished = mine.filter((r) => r.status === 'completed' || r.status === 'failed')
    const last = Math.max(0, ...finished.map((r) => Number(r.last ?? 0)))
    const clean = count('expired') === 0 && count('cancelled') === 0 && finished.length > 0 && last > 0
    recordLaneOutcomeInTx(deps, {
      laneId: lane.id, offeringId: lane.offeringId, batchId: lane.batchId, status: lane.status,
      startedAt: lane.createdAt, finishedAt: last > 0 ? last : now, turnaroundMs: clean ? Math.max(0, last - lane.createdAt) : null,
      completed: count('completed'), failed: count('failed'), expired: count('expired'),
    })
  }
  return lanes.length
}

/** Observed statistics per offering id over the rolling window ending at `now`. */
export function loadObservedStats(deps: Deps, now: number): Map<string, ObservedStats> {
  const rows = deps.db
    .select()
    .from(laneOutcomesTable)
    .where(and(gte(laneOutcomesTable.finishedAt, now - STATS_WINDOW_MS), sql`${laneOutcomesTable.completed} + ${laneOutcomesTable.failed} + ${laneOutcomesTable.expired} > 0`))
    .orderBy(desc(laneOutcomesTable.finishedAt), desc(laneOutcomesTable.laneId))
    .limit(READ_LIMIT)
    .all()
  const perOffering = new Map<string, typeof rows>()
  for (const r of rows) {
    const list = perOffering.get(r.offeringId) ?? []
    if (list.length < STATS_WINDOW_LANES) list.push(r)
    perOffering.set(r.offeringId, list)
  }
  return new Map([...perOffering].map(([id, list]) => [id, summarizeOutcomes(list)]))
}
