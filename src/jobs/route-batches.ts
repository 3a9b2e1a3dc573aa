/**
 * route-batches: folds finished lanes into the observed statistics, then claims pending/queued
 * batches, runs the routing planner with live capacity at the batch's locked rates, writes lanes
 * and the routing receipt, and queues the items. A batch with a group no lane can take right now
 * waits (status queued, retried every 30 s, a receipt entry each time the reasons change) until a
 * lane frees up or expire-batches ends it at its deadline; it never goes to a lane that breaks its
 * policy.
 */
import { and, asc, desc, eq, inArray, isNull, lte, sql } from 'drizzle-orm'
import type { Deps } from '../deps'
import type { Db } from '../db/client'
import { writeTx } from '../db/tx'
import { newId } from '../lib/ids'
import { batchesTable, transitionFrom, type BatchRow } from '../features/batches/index'
import { itemsTable } from '../features/items/index'
import { lanesTable } from '../features/dispatch/index'
import { routingDecisionsTable } from '../features/routing/index'
import { feeSchedule, presentQuoteLanes } from '../features/quotes/index'
import { groupDemandRows, harvestLaneOutcomesInTx, hasLanesToHarvest, itemsPhrase, liveOfferingStates, modelLookup, planRouting, privacyRejection, type GroupPlan, type LockedRates, type OfferingState, type RoutingPolicy } from '../features/routing/index'
import type { Job } from './scheduler'

const CLAIM = 10
const LEASE_MS = 60_000
const WAIT_RETRY_MS = 30_000

export const routeBatchesJob: Job = {
  name: 'route-batches',
  async run(deps, now) {
    // Read-only probes first: most ticks have nothing to fold or route and take no write lock.
    if (hasLanesToHarvest(deps)) writeTx(deps.db, () => harvestLaneOutcomesInTx(deps, now))
    const claimed = anyBatchToRoute(deps, now) ? claimBatches(deps, now) : []
    for (const batch of claimed) await routeBatch(deps, batch, now)
    if (claimed.length > 0) deps.nudge('dispatch-items')
    return claimed.length === CLAIM
  },
}

const routeProbes = new WeakMap<Db, { all(v: { now: number }): unknown[] }>()

/** Whether a pending/queued batch is due (a statement prepared once; it runs on every tick). */
function anyBatchToRoute(deps: Deps, now: number): boolean {
  let probe = routeProbes.get(deps.db)
  if (!probe) {
    probe = deps.db.select({ id: batchesTable.id }).from(batchesTable)
      .where(and(inArray(batchesTable.status, ['pending', 'queued']), lte(batchesTable.nextAttemptAt, sql.placeholder('now')), isNull(batchesTable.endIntent)))
      .limit(1).prepare()
    routeProbes.set(deps.db, probe)
  }
  return probe.all({ now }).length > 0
}

function claimBatches(deps: Deps, now: number): BatchRow[] {
  return writeTx(deps.db, () => {
    const due = deps.db.select({ id: batchesTable.id }).from(batchesTable)
      .where(and(inArray(batchesTable.status, ['pending', 'queued']), lte(batchesTable.nextAttemptAt, now), isNull(batchesTable.endIntent)))
      .orderBy(asc(batchesTable.nextAttemptAt)).limit(CLAIM).all()
    if (due.length === 0) return []
    return deps.db.update(batchesTable).set({ status: 'routing', leaseUntil: now + LEASE_MS, updatedAt: now })
      .where(and(inArray(batchesTable.id, due.map((d) => d.id)), inArray(batchesTable.status, transitionFrom(['pending', 'queued'], 'routing')))).returning().all()
  })
}

/** Demand per model × operation, aggregated in SQL from the batch's pending items, merged per the policy's models list. */
function pendingDemands(deps: Deps, batchId: string, policy: RoutingPolicy) {
  const rows = deps.db
    .select({ model: itemsTable.model, operation: itemsTable.operation, n: sql<number>`count(*)`, input: sql<number>`sum(${itemsTable.estInputTokens})`, output: sql<number>`sum(${itemsTable.estOutputTokens})`, maxItem: sql<number>`max(${itemsTable.estInputTokens} + ${itemsTable.estOutputTokens})`, tools: sql<number>`max(${itemsTable.needsTools})`, untranslatable: sql<string | null>`max(${itemsTable.untranslatable})` })
    .from(itemsTable).where(and(eq(itemsTable.batchId, batchId), eq(itemsTable.status, 'pending')))
    .groupBy(itemsTable.model, itemsTable.operation).all()
  const lookup = modelLookup(deps.catalog())
  const known = rows.filter((r) => lookup(r.model) !== undefined)
  return groupDemandRows(known.map((r) => ({ model: r.model, operation: r.operation, itemCount: Number(r.n), inputTokens: Number(r.input), outputTokens: Number(r.output), maxItemTokens: Number(r.maxItem), needsTools: Number(r.tools) > 0, untranslatable: r.untranslatable })), lookup, policy.models)
}

async function routeBatch(deps: Deps, batch: BatchRow, now: number): Promise<void> {
  // A batch rescued mid-assignment first finishes filling the lanes it already has.
  await fillLanes(deps, batch, unfilledLanes(deps, batch.id), now)
  const policy = { ...(batch.policy as RoutingPolicy), slaSeconds: Math.max(0, Math.floor((batch.slaDeadline - now) / 1000)) }
  const states = liveOfferingStates(deps, batch.lockedRates as LockedRates)
  const plan = planRouting(pendingDemands(deps, batch.id, policy), states, policy, feeSchedule(deps))
  const waiting = plan.groups.filter((g) => !g.routable)
  const lanes = writeTx(deps.db, () => {
    if (waiting.length > 0) {
      recordWaiting(deps, batch.id, waiting, now)
      deps.db.update(batchesTable).set({ status: 'queued', leaseUntil: null, nextAttemptAt: now + WAIT_RETRY_MS, updatedAt: now, lastError: `Waiting for an eligible lane with room for ${waiting.map((g) => `${g.demand.itemCount} ${g.key.replace('|', ' ')}`).join(', ')} items; retrying until the SLA deadline.` })
        .where(and(eq(batchesTable.id, batch.id), inArray(batchesTable.status, transitionFrom(['routing'], 'queued')))).run()
      return null
    }
    const created: LaneFill[] = []
    for (const group of plan.groups) {
      const { laneIds, fills } = createGroupLanes(deps, batch, group, states, now)
      recordDecision(deps, batch.id, 'initial', group, now, laneIds)
      created.push(...fills)
    }
    return created
  })
  if (lanes === null) return
  await fillLanes(deps, batch, lanes, now)
  writeTx(deps.db, () => {
    deps.db.update(batchesTable).set({ status: 'dispatched', leaseUntil: null, inProgressAt: batch.inProgressAt ?? now, updatedAt: now, lastError: null })
      .where(and(eq(batchesTable.id, batch.id), inArray(batchesTable.status, transitionFrom(['routing'], 'dispatched')))).run()
  })
}

/** A lane and which pending items may fill it (the models its group covers). */
interface LaneFill {
  laneId: string
  offeringId: string
  provider: string
  model: string
  operation: string
  itemModels: string[]
  itemCount: number
}

/** Items queued per transaction: big enough to be quick, small enough not to stall requests. */
const FILL_CHUNK = 2000

/**
 * Queues each lane's share of pending items in input order, FILL_CHUNK per transaction with a
 * yield in between, so routing 50,000 items never holds the event loop for long. Resumable: a
 * lane's share is its item_count minus what it already holds, so a batch rescued after a crash
 * mid-way continues where it stopped (see unfilledLanes) without queuing an item twice.
 */
async function fillLanes(deps: Deps, batch: BatchRow, lanes: LaneFill[], now: number): Promise<void> {
  for (const lane of lanes) {
    for (;;) {
      const moved = writeTx(deps.db, () => {
        const held = deps.db.select({ n: sql<number>`count(*)` }).from(itemsTable).where(eq(itemsTable.laneId, lane.laneId)).get()
        const room = Math.min(FILL_CHUNK, lane.itemCount - Number(held?.n ?? 0))
        if (room <= 0) return 0
        const share = deps.db.select({ id: itemsTable.id }).from(itemsTable)
          .where(and(eq(itemsTable.batchId, batch.id), inArray(itemsTable.model, lane.itemModels), eq(itemsTable.operation, lane.operation), eq(itemsTable.status, 'pending')))
          .orderBy(asc(itemsTable.seq)).limit(room)
        const rows = deps.db.update(itemsTable).set({ laneId: lane.laneId, offeringId: lane.offeringId, provider: lane.provider, model: lane.model, status: 'queued', nextAttemptAt: now })
          .where(inArray(itemsTable.id, share)).returning({ id: itemsTable.id }).all()
        deps.db.update(batchesTable).set({ leaseUntil: deps.clock.now() + LEASE_MS }).where(eq(batchesTable.id, batch.id)).run()
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
  return rows.filter((r) => Number(r.held) < r.lane.itemCount).map((r) => ({ laneId: r.lane.id, offeringId: r.lane.offeringId, provider: r.lane.provider, model: r.lane.model, operation: r.lane.operation, itemModels: r.lane.itemModels as string[], itemCount: r.lane.itemCount }))
}

/**
 * Creates one lane per selected candidate; fillLanes then queues its share of the group's items
 * in input order (items moved to another listed model take that model). Re-checks the privacy
 * filter first: a lane that breaks the tier is a bug, and the batch must stay unrouted rather
 * than leak.
 */
function createGroupLanes(deps: Deps, batch: BatchRow, group: GroupPlan, states: OfferingState[], now: number): { laneIds: Map<string, string>; fills: LaneFill[] } {
  const laneIds = new Map<string, string>()
  const fills: LaneFill[] = []
  const itemModels = group.demand.itemModels ?? [group.demand.model.slug]
  for (const c of group.selection.candidates.filter((x) => x.selected)) {
    const offering = states.find((s) => s.offering.offering_id === c.offeringId)?.offering
    const leak = offering ? privacyRejection(offering, (batch.policy as RoutingPolicy).privacyTier) : { reason: 'unknown offering' }
    if (leak) throw new Error(`route-batches: refusing ${c.offeringId} for batch ${batch.id}: ${leak.reason}`)
    const laneId = newId('lane')
    laneIds.set(c.offeringId, laneId)
    deps.db.insert(lanesTable).values({ id: laneId, batchId: batch.id, model: c.model, operation: c.operation, provider: c.provider, offeringId: c.offeringId, status: 'dispatched', itemCount: c.itemCount, itemModels, inputRate: c.rates.input, outputRate: c.rates.output, quotedMicros: c.price.total, fallbacks: c.fallbackOrder, createdAt: now }).run()
    fills.push({ laneId, offeringId: c.offeringId, provider: c.provider, model: c.model, operation: c.operation, itemModels, itemCount: c.itemCount })
  }
  return { laneIds, fills }
}

/** A receipt entry for each waiting group whose candidates' verdicts changed since its last one. */
function recordWaiting(deps: Deps, batchId: string, groups: GroupPlan[], now: number): void {
  const previous = deps.db.select({ model: routingDecisionsTable.model, operation: routingDecisionsTable.operation, detail: routingDecisionsTable.detail })
    .from(routingDecisionsTable).where(and(eq(routingDecisionsTable.batchId, batchId), eq(routingDecisionsTable.kind, 'waiting'))).orderBy(desc(routingDecisionsTable.id)).all()
  for (const g of groups) {
    const last = previous.find((p) => p.model === g.demand.model.slug && p.operation === g.demand.operation)
    if (last && (last.detail as { signature?: string }).signature === signatureOf(g)) continue
    recordDecision(deps, batchId, 'waiting', g, now)
  }
}

/** What a waiting entry shows: which lane is refused for what (reasons change wording, not codes). */
function signatureOf(g: GroupPlan): string {
  return JSON.stringify([g.demand.itemCount, g.selection.unallocated, g.selection.candidates.map((c) => [c.offeringId, c.rejectionCode, c.itemCount])])
}

function recordDecision(deps: Deps, batchId: string, kind: 'initial' | 'waiting', g: GroupPlan, now: number, laneIds?: Map<string, string>): void {
  const lanes = presentQuoteLanes({ groups: [g], total: { providerSubtotal: 0, fee: 0, discount: 0, total: 0 } })
  const candidates = lanes.map(({ lane_id: _draft, ...rest }) => ({ ...rest, lane_id: laneIds?.get(rest.offering_id) ?? null }))
  const detail = {
    item_count: g.demand.itemCount,
    ...(g.demand.alternatives && g.demand.alternatives.length > 0 ? { models: g.demand.alternatives.map((m) => m.slug), item_models: g.demand.itemModels ?? [] } : {}),
    routable: g.routable,
    lane_mode: candidates.filter((c) => c.selected).length > 1 ? 'multi_lane' : 'single_lane',
    split_reason: g.selection.splitReason,
    ...(kind === 'waiting' ? { waiting_reason: waitingReason(g), signature: signatureOf(g) } : {}),
    candidates,
  }
  deps.db.insert(routingDecisionsTable).values({ batchId, kind, model: g.demand.model.slug, operation: g.demand.operation, detail, createdAt: now }).run()
}

function waitingReason(g: GroupPlan): string {
  const what = itemsPhrase(g.demand.itemCount, g.demand.model.slug, g.demand.operation)
  if (g.selection.candidates.some((c) => c.rejectionCode === null)) return g.selection.splitReason ?? `The eligible lanes lack room for the ${what}; waiting for capacity.`
  const transient = g.selection.candidates.filter((c) => c.rejectionCode === 'provider_unavailable' || c.rejectionCode === 'capacity_full').map((c) => c.offeringId)
  if (transient.length > 0) return `No lane may take the ${what} right now; waiting for ${transient.join(', ')} (${g.selection.candidates.find((c) => transient.includes(c.offeringId))!.rejectionCode}) until the SLA deadline. No other lane is used.`
  const codes = [...new Set(g.selection.candidates.map((c) => c.rejectionCode))].join(', ') || 'no offering'
  return `No lane may take the ${what} under this batch's policy now (${codes}); it waits until the SLA deadline and then expires. No other lane is used.`
}
