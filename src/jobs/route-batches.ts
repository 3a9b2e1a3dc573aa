/**
 * route-batches: claims pending/queued batches, runs the routing planner with live capacity at
 * the batch's locked rates, writes lanes and the routing receipt, and queues the items. A batch
 * with a group no lane can take waits (status queued) and is retried; it never goes to a lane
 * that breaks its policy.
 */
import { and, asc, eq, inArray, isNull, lte, sql } from 'drizzle-orm'
import type { Deps } from '../deps'
import { writeTx } from '../db/tx'
import { newId } from '../lib/ids'
import { batchesTable, itemsTable, lanesTable, routingDecisionsTable, type BatchRow } from '../features/batches/index'
import { feeSchedule, presentQuoteLanes } from '../features/quotes/index'
import { liveOfferingStates, modelLookup, planRouting, type GroupPlan, type LockedRates, type RoutingPolicy } from '../features/routing/index'
import type { Job } from './scheduler'

const CLAIM = 10
const LEASE_MS = 60_000
const WAIT_RETRY_MS = 30_000

export const routeBatchesJob: Job = {
  name: 'route-batches',
  run(deps, now) {
    const claimed = claimBatches(deps, now)
    for (const batch of claimed) routeBatch(deps, batch, now)
    if (claimed.length > 0) deps.nudge('dispatch-items')
    return claimed.length === CLAIM
  },
}

function claimBatches(deps: Deps, now: number): BatchRow[] {
  return writeTx(deps.db, () => {
    const due = deps.db.select({ id: batchesTable.id }).from(batchesTable)
      .where(and(inArray(batchesTable.status, ['pending', 'queued']), lte(batchesTable.nextAttemptAt, now), isNull(batchesTable.endIntent)))
      .orderBy(asc(batchesTable.nextAttemptAt)).limit(CLAIM).all()
    if (due.length === 0) return []
    return deps.db.update(batchesTable).set({ status: 'routing', leaseUntil: now + LEASE_MS, updatedAt: now })
      .where(and(inArray(batchesTable.id, due.map((d) => d.id)), inArray(batchesTable.status, ['pending', 'queued']))).returning().all()
  })
}

/** Demand per model × operation, aggregated in SQL from the batch's pending items. */
function pendingDemands(deps: Deps, batchId: string) {
  const rows = deps.db
    .select({ model: itemsTable.model, operation: itemsTable.operation, n: sql<number>`count(*)`, input: sql<number>`sum(${itemsTable.estInputTokens})`, output: sql<number>`sum(${itemsTable.estOutputTokens})`, maxItem: sql<number>`max(${itemsTable.estInputTokens} + ${itemsTable.estOutputTokens})`, tools: sql<number>`max(${itemsTable.needsTools})` })
    .from(itemsTable).where(and(eq(itemsTable.batchId, batchId), eq(itemsTable.status, 'pending')))
    .groupBy(itemsTable.model, itemsTable.operation).all()
  const lookup = modelLookup(deps.catalog())
  return rows.flatMap((r) => {
    const model = lookup(r.model)
    return model ? [{ model, operation: r.operation as 'responses', itemCount: Number(r.n), inputTokens: Number(r.input), outputTokens: Number(r.output), maxItemTokens: Number(r.maxItem), needsTools: Number(r.tools) > 0 }] : []
  })
}

function routeBatch(deps: Deps, batch: BatchRow, now: number): void {
  const policy = batch.policy as RoutingPolicy
  const states = liveOfferingStates(deps, batch.lockedRates as LockedRates)
  const plan = planRouting(pendingDemands(deps, batch.id), states, { ...policy, slaSeconds: Math.max(0, Math.floor((batch.slaDeadline - now) / 1000)) }, feeSchedule(deps))
  const waiting = plan.groups.filter((g) => !g.routable)
  writeTx(deps.db, () => {
    if (waiting.length > 0) {
      recordDecision(deps, batch.id, 'waiting', waiting, now)
      deps.db.update(batchesTable).set({ status: 'queued', leaseUntil: null, nextAttemptAt: now + WAIT_RETRY_MS, updatedAt: now, lastError: `No eligible lane with room for ${waiting.map((g) => g.key).join(', ')}; retrying until the SLA deadline.` })
        .where(and(eq(batchesTable.id, batch.id), eq(batchesTable.status, 'routing'))).run()
      return
    }
    for (const group of plan.groups) assignGroup(deps, batch.id, group, now)
    recordDecision(deps, batch.id, 'initial', plan.groups, now)
    deps.db.update(batchesTable).set({ status: 'dispatched', leaseUntil: null, inProgressAt: batch.inProgressAt ?? now, updatedAt: now, lastError: null })
      .where(and(eq(batchesTable.id, batch.id), eq(batchesTable.status, 'routing'))).run()
  })
}

/** Creates one lane per selected candidate and queues its share of the group's items in input order. */
function assignGroup(deps: Deps, batchId: string, group: GroupPlan, now: number): void {
  for (const c of group.selection.candidates.filter((x) => x.selected)) {
    const laneId = newId('lane')
    deps.db.insert(lanesTable).values({ id: laneId, batchId, model: c.model, operation: c.operation, provider: c.provider, offeringId: c.offeringId, status: 'dispatched', itemCount: c.itemCount, inputRate: c.rates.input, outputRate: c.rates.output, quotedMicros: c.price.total, fallbacks: c.fallbackOrder, createdAt: now }).run()
    const ids = deps.db.select({ id: itemsTable.id }).from(itemsTable)
      .where(and(eq(itemsTable.batchId, batchId), eq(itemsTable.model, c.model), eq(itemsTable.operation, c.operation), eq(itemsTable.status, 'pending')))
      .orderBy(asc(itemsTable.seq)).limit(c.itemCount).all().map((r) => r.id)
    for (let i = 0; i < ids.length; i += 500) {
      deps.db.update(itemsTable).set({ laneId, offeringId: c.offeringId, provider: c.provider, status: 'queued', nextAttemptAt: now }).where(inArray(itemsTable.id, ids.slice(i, i + 500))).run()
    }
  }
}

function recordDecision(deps: Deps, batchId: string, kind: string, groups: GroupPlan[], now: number): void {
  for (const g of groups) {
    const lanes = presentQuoteLanes({ groups: [g], total: { providerSubtotal: 0, fee: 0, discount: 0, total: 0 } })
    deps.db.insert(routingDecisionsTable).values({ batchId, kind, model: g.demand.model.slug, operation: g.demand.operation, detail: { item_count: g.demand.itemCount, routable: g.routable, candidates: lanes.map(({ lane_id: _drop, ...rest }) => rest) }, createdAt: now }).run()
  }
}
