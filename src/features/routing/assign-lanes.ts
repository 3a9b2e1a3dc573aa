/**
 * Lane assignment (the work of the route-batches tick): for a batch claimed for routing, plan its
 * pending items with live capacity at the batch's locked rates, create its lanes (features/
 * dispatch) and routing receipt entries, and queue the items. A batch with a group no lane can
 * take right now waits (the caller records `queued`, retried every 30 s; a receipt entry each
 * time the reasons change) until a lane frees up or expiry ends it; it never goes to a lane that
 * breaks its policy.
 */
import { and, asc, eq, inArray, sql } from 'drizzle-orm'
import type { Deps } from '../../deps'
import type { Operation } from '../../catalog-schema'
import { writeTx } from '../../db/tx'
import { newId } from '../../lib/ids'
import { feeSchedule } from '../catalog/index'
import { extendLease, insertLaneInTx, lanesTable } from '../dispatch/index'
import { itemsTable, itemTransitionFrom } from '../items/index'
import { recordDecisionInTx, recordWaitingInTx, waitingSummary } from './decisions'
import { privacyRejection } from './eligibility'
import { liveOfferingStates, type LockedRates } from './live-state'
import { groupDemandRows, modelLookup, planRouting, type GroupPlan } from './plan'
import type { OfferingState, StoredPolicy } from './types'

/** How long a routing lease lasts; filling lanes extends it chunk by chunk. */
export const ROUTING_LEASE_MS = 60_000

/** What lane assignment needs of a batch (features/batches hands it over). */
export interface RoutableBatch {
  id: string
  policy: StoredPolicy
  lockedRates: LockedRates
  /** The SLA tier's price multiplier locked at create (basis points); its lanes are priced and settled at it. */
  slaMultiplierBps: number
  slaDeadline: number
  /** The routing lease, extended while lanes are filled. */
  leaseId: string | null
}

/** Routed: every group has lanes and its items are queued; or waiting, with the reason for the batch's `last_error`. */
export type RouteResult = { kind: 'dispatched' } | { kind: 'waiting'; reason: string }

/** Plans and assigns lanes to a batch's pending items (resuming an interrupted fill first). */
export async function assignLanes(deps: Deps, batch: RoutableBatch, now: number): Promise<RouteResult> {
  // A batch rescued mid-assignment first finishes filling the lanes it already has.
  await fillLanes(deps, batch, unfilledLanes(deps, batch.id), now)
  const policy = { ...batch.policy, slaSeconds: Math.max(0, Math.floor((batch.slaDeadline - now) / 1000)) }
  const states = liveOfferingStates(deps, batch.lockedRates)
  const plan = planRouting(pendingDemands(deps, batch.id, policy), states, policy, feeSchedule(deps, batch.slaMultiplierBps))
  const waiting = plan.groups.filter((g) => !g.routable)
  if (waiting.length > 0) {
    writeTx(deps.db, () => recordWaitingInTx(deps, batch.id, waiting, now))
    return { kind: 'waiting', reason: waitingSummary(waiting) }
  }
  const lanes = writeTx(deps.db, () =>
    plan.groups.flatMap((group) => {
      const { laneIds, fills } = createGroupLanesInTx(deps, batch, group, states, now)
      recordDecisionInTx(deps, batch.id, 'initial', group, now, laneIds)
      return fills
    }),
  )
  await fillLanes(deps, batch, lanes, now)
  return { kind: 'dispatched' }
}

/** Demand per model × operation, aggregated in SQL from the batch's pending items, merged per the policy's models list. */
function pendingDemands(deps: Deps, batchId: string, policy: StoredPolicy) {
  const rows = deps.db
    .select({ model: itemsTable.model, operation: itemsTable.operation, n: sql<number>`count(*)`, input: sql<number>`sum(${itemsTable.estInputTokens})`, output: sql<number>`sum(${itemsTable.estOutputTokens})`, maxItem: sql<number>`max(${itemsTable.estInputTokens} + ${itemsTable.estOutputTokens})`, tools: sql<number>`max(${itemsTable.needsTools})`, untranslatable: sql<string | null>`max(${itemsTable.untranslatable})` })
    .from(itemsTable).where(and(eq(itemsTable.batchId, batchId), eq(itemsTable.status, 'pending')))
    .groupBy(itemsTable.model, itemsTable.operation).all()
  const lookup = modelLookup(deps.catalog())
  const known = rows.filter((r) => lookup(r.model) !== undefined)
  return groupDemandRows(known.map((r) => ({ model: r.model, operation: r.operation, itemCount: Number(r.n), inputTokens: Number(r.input), outputTokens: Number(r.output), maxItemTokens: Number(r.maxItem), needsTools: Number(r.tools) > 0, untranslatable: r.untranslatable })), lookup, policy.models)
}

/** A lane and which pending items may fill it (the models its group covers). */
interface LaneFill {
  laneId: string
  offeringId: string
  provider: string
  model: string
  operation: Operation
  itemModels: string[]
  itemCount: number
}

/** Items queued per transaction: big enough to be quick, small enough not to stall requests. */
const FILL_CHUNK = 2000
const QUEUE_FROM = itemTransitionFrom(['pending'], 'queued')

/**
 * Queues each lane's share of pending items in input order, FILL_CHUNK per transaction with a
 * yield in between (and the routing lease extended), so routing 50,000 items never holds the
 * event loop for long. Resumable: a lane's share is its item_count minus what it already holds,
 * so a batch rescued after a crash mid-way continues where it stopped without queuing an item twice.
 */
async function fillLanes(deps: Deps, batch: RoutableBatch, lanes: LaneFill[], now: number): Promise<void> {
  for (const lane of lanes) {
    for (;;) {
      const moved = writeTx(deps.db, () => {
        const held = deps.db.select({ n: sql<number>`count(*)` }).from(itemsTable).where(eq(itemsTable.laneId, lane.laneId)).get()
        const room = Math.min(FILL_CHUNK, lane.itemCount - Number(held?.n ?? 0))
        if (room <= 0) return 0
        const share = deps.db.select({ id: itemsTable.id }).from(itemsTable)
          .where(and(eq(itemsTable.batchId, batch.id), inArray(itemsTable.model, lane.itemModels), eq(itemsTable.operation, lane.operation), inArray(itemsTable.status, QUEUE_FROM)))
          .orderBy(asc(itemsTable.seq)).limit(room)
        const rows = deps.db.update(itemsTable).set({ laneId: lane.laneId, offeringId: lane.offeringId, provider: lane.provider, model: lane.model, status: 'queued', nextAttemptAt: now })
          .where(inArray(itemsTable.id, share)).returning({ id: itemsTable.id }).all()
        if (batch.leaseId) extendLease(deps, batch.leaseId, deps.clock.now() + ROUTING_LEASE_MS)
        return rows.length
      })
      if (moved === 0) break
      deps.nudge('dispatch-items')
      await new Promise((r) => setImmediate(r))
    }
  }
}

/** Lanes of a batch holding fewer items than planned (a crash interrupted their filling). */
function unfilledLanes(deps: Deps, batchId: string): LaneFill[] {
  const rows = deps.db
    .select({ lane: lanesTable, held: sql<number>`(select count(*) from items where items.lane_id = ${lanesTable.id})` })
    .from(lanesTable).where(eq(lanesTable.batchId, batchId)).all()
  return rows.filter((r) => Number(r.held) < r.lane.itemCount).map((r) => ({ laneId: r.lane.id, offeringId: r.lane.offeringId, provider: r.lane.provider, model: r.lane.model, operation: r.lane.operation, itemModels: r.lane.itemModels, itemCount: r.lane.itemCount }))
}

/**
 * Creates one lane per selected candidate; fillLanes then queues its share of the group's items
 * in input order (items moved to another listed model take that model). Re-checks the privacy
 * filter first: a lane that breaks the tier is a bug, and the batch must stay unrouted rather
 * than leak.
 */
function createGroupLanesInTx(deps: Deps, batch: RoutableBatch, group: GroupPlan, states: OfferingState[], now: number): { laneIds: Map<string, string>; fills: LaneFill[] } {
  const laneIds = new Map<string, string>()
  const fills: LaneFill[] = []
  const itemModels = group.demand.itemModels ?? [group.demand.model.slug]
  for (const c of group.selection.candidates.filter((x) => x.selected)) {
    const offering = states.find((s) => s.offering.offering_id === c.offeringId)?.offering
    const leak = offering ? privacyRejection(offering, batch.policy.privacyTier) : { reason: 'unknown offering' }
    if (leak) throw new Error(`routing: refusing ${c.offeringId} for batch ${batch.id}: ${leak.reason}`)
    const laneId = newId('lane')
    laneIds.set(c.offeringId, laneId)
    insertLaneInTx(deps, { id: laneId, batchId: batch.id, model: c.model, operation: c.operation, provider: c.provider, offeringId: c.offeringId, itemCount: c.itemCount, itemModels, inputRate: c.rates.input, outputRate: c.rates.output, slaMultiplierBps: batch.slaMultiplierBps, quotedMicros: c.price.total, fallbacks: c.fallbackOrder, createdAt: now })
    fills.push({ laneId, offeringId: c.offeringId, provider: c.provider, model: c.model, operation: c.operation, itemModels, itemCount: c.itemCount })
  }
  return { laneIds, fills }
}
