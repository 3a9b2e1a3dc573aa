/**
 * Failover: the unfinished items of a provider job that failed, expired or stalled move to the
 * next offering of their lane's fallback ladder — a new lane inside the same client batch —
 * when that offering is configured, its circuit is not open and its expected turnaround still
 * fits the SLA deadline. Finished items never move (only `running` items of the job are taken).
 * Every move is a `reroute` entry of the routing receipt with its cause; with no usable
 * fallback the items fail (`provider_error`) and the receipt says so.
 */
import { and, eq, inArray, notInArray, sql } from 'drizzle-orm'
import type { Deps } from '../deps'
import { writeTx } from '../db/tx'
import { newId } from '../lib/ids'
import { itemsTable } from '../features/items/index'
import { lanesTable, type LaneRow, type ProviderJobCause } from '../features/dispatch/index'
import { isProviderConfigured } from '../features/catalog/index'
import type { CatalogOffering } from '../catalog-schema'
import { catalogRates, providerCircuits, recordLaneOutcomeInTx, recordRerouteInTx, type LockedRates } from '../features/routing/index'
import { applyJobOutcomes, stoppedOutcomes } from './provider-job-outcomes'
import { batchFacts } from './provider-job-store'

/** One sentence per cause, for the receipt and the failed items. */
const CAUSE_TEXT: Record<ProviderJobCause, string> = {
  provider_failed: 'The provider batch failed',
  provider_expired: 'The provider batch expired before every item ran',
  lane_stalled: 'The provider batch made no progress within its expected turnaround',
  batch_stopped: 'The batch was stopped',
}

export interface FailoverResult {
  /** The new lane, or null when no fallback could take the items. */
  toLaneId: string | null
  moved: number
}

/**
 * Moves `itemIds` (running items of provider job `jobId` on lane `laneId`) to the lane's next
 * usable fallback, or fails them. A stopped batch stops them instead. Returns where they went.
 */
export function failoverItems(deps: Deps, job: { id: string; laneId: string; provider: string }, itemIds: string[], cause: ProviderJobCause, now: number): FailoverResult {
  if (itemIds.length === 0) return { toLaneId: null, moved: 0 }
  const lane = deps.db.select().from(lanesTable).where(eq(lanesTable.id, job.laneId)).get()
  const batch = lane ? batchFacts(deps, lane.batchId) : undefined
  if (!batch || !lane) return { toLaneId: null, moved: 0 }
  const attempts = new Map(deps.db.select({ id: itemsTable.id, attempts: itemsTable.attempts }).from(itemsTable).where(and(inArray(itemsTable.id, itemIds), eq(itemsTable.status, 'running'))).all().map((r) => [r.id, r.attempts]))
  const meta = { provider: job.provider, rates: { input: lane.inputRate, output: lane.outputRate } }
  if (batch.endIntent) {
    applyJobOutcomes(deps, meta, attempts, stoppedOutcomes(attempts.keys(), batch.endIntent), now)
    return { toLaneId: null, moved: 0 }
  }
  const target = pickFallback(deps, lane, batch.slaDeadline, now)
  const ids = [...attempts.keys()]
  if (!target) {
    writeTx(deps.db, () => recordRerouteInTx(deps, { batchId: lane.batchId, model: lane.model, operation: lane.operation, fromLaneId: lane.id, fromOfferingId: lane.offeringId, toLaneId: null, toOfferingId: null, itemCount: ids.length, cause, message: `${CAUSE_TEXT[cause]}; no fallback lane could finish before the SLA deadline, so ${ids.length} unfinished item${ids.length === 1 ? '' : 's'} failed.`, at: now }))
    const error = { kind: 'server_error' as const, retryable: false, message: `${CAUSE_TEXT[cause]} and no fallback lane could take this item before the SLA deadline.` }
    applyJobOutcomes(deps, meta, attempts, ids.map((itemId) => ({ ok: false as const, itemId, error })), now)
    return { toLaneId: null, moved: 0 }
  }
  const rates = (batch.lockedRates as LockedRates)[target.offering.offering_id] ?? catalogRates(target.offering)
  const toLaneId = newId('lane')
  const moved = writeTx(deps.db, () => {
    deps.db.insert(lanesTable).values({ id: toLaneId, batchId: lane.batchId, model: lane.model, operation: lane.operation, provider: target.offering.provider, offeringId: target.offering.offering_id, status: 'dispatched', itemCount: 0, inputRate: rates.input, outputRate: rates.output, quotedMicros: 0, fallbacks: target.rest, createdAt: now }).run()
    let count = 0
    for (let i = 0; i < ids.length; i += 500) {
      count += deps.db.update(itemsTable).set({ laneId: toLaneId, offeringId: target.offering.offering_id, provider: target.offering.provider, status: 'queued', providerJobId: null, providerCustomId: null, leaseUntil: null, nextAttemptAt: now })
        .where(and(inArray(itemsTable.id, ids.slice(i, i + 500)), eq(itemsTable.providerJobId, job.id), eq(itemsTable.status, 'running'))).returning({ id: itemsTable.id }).all().length
    }
    deps.db.update(lanesTable).set({ itemCount: count }).where(eq(lanesTable.id, toLaneId)).run()
    deps.db.update(lanesTable).set({ itemCount: sql`max(0, ${lanesTable.itemCount} - ${count})` }).where(eq(lanesTable.id, lane.id)).run()
    closeAbandonedLane(deps, lane, now)
    recordRerouteInTx(deps, { batchId: lane.batchId, model: lane.model, operation: lane.operation, fromLaneId: lane.id, fromOfferingId: lane.offeringId, toLaneId, toOfferingId: target.offering.offering_id, itemCount: count, cause, message: `${CAUSE_TEXT[cause]}; ${count} unfinished item${count === 1 ? '' : 's'} moved to ${target.offering.offering_id}.`, at: now })
    return count
  })
  deps.log.info('provider job failed over', { job_id: job.id, cause, from: lane.offeringId, to: target.offering.offering_id, items: moved })
  deps.nudge('dispatch-items')
  return { toLaneId, moved }
}

/** The first fallback of the lane that is configured, not circuit-open and fast enough; with the ladder left after it. */
function pickFallback(deps: Deps, lane: LaneRow, slaDeadline: number, now: number): { offering: CatalogOffering; rest: string[] } | null {
  const catalog = deps.catalog()
  const circuits = providerCircuits(deps, now)
  const ladder = (lane.fallbacks as string[] | null) ?? []
  for (const [i, id] of ladder.entries()) {
    const offering = catalog.offerings.find((o) => o.offering_id === id)
    const provider = offering && catalog.providers.find((p) => p.id === offering.provider)
    if (!offering || !provider || !isProviderConfigured(provider)) continue
    if (circuits.get(provider.id) === 'open' || offering.model !== lane.model) continue
    if (now + offering.turnaround_seconds * 1000 > slaDeadline) continue
    return { offering, rest: ladder.slice(i + 1) }
  }
  return null
}

/** A lane left with no unfinished items after a move is `rerouted`, and its outcome goes into routing's statistics. */
function closeAbandonedLane(deps: Deps, lane: LaneRow, now: number): void {
  const counts = deps.db.select({ status: itemsTable.status, n: sql<number>`count(*)` }).from(itemsTable).where(eq(itemsTable.laneId, lane.id)).groupBy(itemsTable.status).all()
  const n = (status: string) => Number(counts.find((c) => c.status === status)?.n ?? 0)
  if (n('pending') + n('queued') + n('running') > 0) return
  deps.db.update(lanesTable).set({ status: 'rerouted' }).where(and(eq(lanesTable.id, lane.id), notInArray(lanesTable.status, ['completed', 'failed', 'cancelled', 'expired']))).run()
  recordLaneOutcomeInTx(deps, { laneId: lane.id, offeringId: lane.offeringId, batchId: lane.batchId, status: 'rerouted', startedAt: lane.createdAt, finishedAt: now, turnaroundMs: null, completed: n('completed'), failed: n('failed'), expired: n('expired') })
}
