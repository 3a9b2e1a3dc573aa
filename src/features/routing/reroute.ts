/**
 * Re-routing (design §4): the unfinished items of a provider job that failed, expired or stalled
 * move to the next offering of their lane's fallback ladder — a new lane inside the same client
 * batch — when that offering is configured, its circuit is not open and its expected turnaround
 * still fits the SLA deadline. Only items still running in that job move. Every move is a
 * `reroute` entry of the routing receipt with its cause; with no usable fallback nothing moves,
 * the receipt says so, and the caller fails the items with the returned message.
 */
import { and, eq, inArray, sql } from 'drizzle-orm'
import type { Deps } from '../../deps'
import { writeTx } from '../../db/tx'
import { newId } from '../../lib/ids'
import { catalogRates, liveOffering, type LiveOffering } from '../catalog/index'
import { addLaneItemsInTx, insertLaneInTx, lanesTable, markLaneReroutedInTx, type LaneRow, type ProviderJobCause, type RerouteResult, type WorkBatch } from '../dispatch/index'
import { itemsTable, itemTransitionFrom, UNFINISHED_ITEM_STATUSES } from '../items/index'
import { providerCircuits } from './live-state'
import { recordRerouteInTx } from './reroutes'
import { recordLaneOutcomeInTx } from './stats'

/** One sentence per cause, for the receipt and the failed items. */
const CAUSE_TEXT: Record<ProviderJobCause, string> = {
  provider_failed: 'The provider batch failed',
  provider_expired: 'The provider batch expired before every item ran',
  lane_stalled: 'The provider batch made no progress within its expected turnaround',
  batch_stopped: 'The batch was stopped',
  provider_lost: 'The provider batch job was lost (the provider no longer knows it)',
}

const MOVE_FROM = itemTransitionFrom(['running'], 'queued')

/**
 * Moves `itemIds` (running items of provider job `job`) to the lane's next usable fallback, or
 * records that none could take them. `detail` (e.g. "provider reported failed: …; 4 attempts on
 * openai-batch-gpt-4o-mini") goes into the message, which names why nothing could take them.
 */
export function rerouteJobItems(deps: Deps, job: { id: string; laneId: string }, batch: WorkBatch, itemIds: readonly string[], cause: ProviderJobCause, now: number, detail?: string): RerouteResult {
  const lane = deps.db.select().from(lanesTable).where(eq(lanesTable.id, job.laneId)).get()
  const what = `${CAUSE_TEXT[cause]}${detail ? ` (${detail})` : ''}`
  if (!lane || itemIds.length === 0) return { toLaneId: null, message: `${what}.` }
  const target = pickFallback(deps, lane, batch.slaDeadline, now)
  const base = { batchId: lane.batchId, model: lane.model, operation: lane.operation, fromLaneId: lane.id, fromOfferingId: lane.offeringId, cause, at: now }
  if (!target) {
    const n = itemIds.length
    const why = lane.fallbacks.length === 0 ? 'its lane has no fallback offering' : 'no fallback lane could take it before the SLA deadline (each is unavailable, circuit-open or too slow)'
    writeTx(deps.db, () => recordRerouteInTx(deps, { ...base, toLaneId: null, toOfferingId: null, itemCount: n, message: `${what}; ${why}, so ${n} unfinished item${n === 1 ? '' : 's'} failed.` }))
    return { toLaneId: null, message: `${what}; ${why}.` }
  }
  const { offering } = target.live
  const rates = batch.lockedRates[offering.offering_id] ?? catalogRates(offering)
  const toLaneId = newId('lane')
  const moved = writeTx(deps.db, () => {
    insertLaneInTx(deps, { id: toLaneId, batchId: lane.batchId, model: lane.model, operation: lane.operation, provider: offering.provider, offeringId: offering.offering_id, itemCount: 0, inputRate: rates.input, outputRate: rates.output, slaMultiplierBps: lane.slaMultiplierBps, quotedMicros: 0, fallbacks: target.rest, createdAt: now })
    const count = moveItemsInTx(deps, job.id, itemIds, toLaneId, target.live, now)
    addLaneItemsInTx(deps, toLaneId, count)
    addLaneItemsInTx(deps, lane.id, -count)
    closeAbandonedLaneInTx(deps, lane, now)
    recordRerouteInTx(deps, { ...base, toLaneId, toOfferingId: offering.offering_id, itemCount: count, message: `${CAUSE_TEXT[cause]}; ${count} unfinished item${count === 1 ? '' : 's'} moved to ${offering.offering_id}.` })
    return count
  })
  return { toLaneId, moved }
}

/** Re-queues the job's still-running `itemIds` on the new lane, due now; returns how many moved. */
function moveItemsInTx(deps: Deps, jobId: string, itemIds: readonly string[], laneId: string, live: LiveOffering, now: number): number {
  let count = 0
  for (let i = 0; i < itemIds.length; i += 500) {
    count += deps.db.update(itemsTable).set({ laneId, offeringId: live.offering.offering_id, provider: live.offering.provider, status: 'queued', providerJobId: null, providerCustomId: null, leaseId: null, nextAttemptAt: now })
      .where(and(inArray(itemsTable.id, itemIds.slice(i, i + 500)), eq(itemsTable.providerJobId, jobId), inArray(itemsTable.status, MOVE_FROM))).returning({ id: itemsTable.id }).all().length
  }
  return count
}

/** The first fallback of the lane that is configured, not circuit-open and fast enough; with the ladder left after it. */
function pickFallback(deps: Deps, lane: LaneRow, slaDeadline: number, now: number): { live: LiveOffering; rest: string[] } | null {
  const catalog = deps.catalog()
  const circuits = providerCircuits(deps, now)
  for (const [i, id] of lane.fallbacks.entries()) {
    const live = liveOffering(catalog, id)
    if (!live || circuits.get(live.provider.id) === 'open' || live.offering.model !== lane.model) continue
    if (now + live.offering.turnaround_seconds * 1000 > slaDeadline) continue
    return { live, rest: lane.fallbacks.slice(i + 1) }
  }
  return null
}

/** A lane left with no unfinished items after a move is `rerouted`, and its outcome goes into routing's statistics. */
function closeAbandonedLaneInTx(deps: Deps, lane: LaneRow, now: number): void {
  const counts = deps.db.select({ status: itemsTable.status, n: sql<number>`count(*)` }).from(itemsTable).where(eq(itemsTable.laneId, lane.id)).groupBy(itemsTable.status).all()
  const n = (status: string) => Number(counts.find((c) => c.status === status)?.n ?? 0)
  if (UNFINISHED_ITEM_STATUSES.some((s) => n(s) > 0)) return
  markLaneReroutedInTx(deps, lane.id)
  recordLaneOutcomeInTx(deps, { laneId: lane.id, offeringId: lane.offeringId, batchId: lane.batchId, status: 'rerouted', startedAt: lane.createdAt, finishedAt: now, turnaroundMs: null, completed: n('completed'), failed: n('failed'), expired: n('expired') })
}
