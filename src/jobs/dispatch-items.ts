/**
 * dispatch-items: keeps every offering's request slots full. A pass claims queued items whose
 * time has come (up to each offering's free slots), marks them running with a lease, and starts
 * the provider calls without awaiting them. Finished calls buffer their outcomes; the buffer is
 * written in one transaction once every claimed call is back or FLUSH_AFTER_MS after the first
 * outcome, so calls finishing together share one commit. Only then are their slots freed — and
 * while the scheduler runs, the same transaction claims the next items for the freed slots.
 *
 * A slot stays taken until its outcome is written, so the items `running` in the database never
 * exceed an offering's concurrency: a crash re-sends at most that many (rescue-leases).
 */
import { and, asc, eq, inArray, isNull, lte, or, sql } from 'drizzle-orm'
import type { Deps } from '../deps'
import { writeTx } from '../db/tx'
import { batchesTable, itemsTable, lanesTable } from '../features/batches/index'
import { isProviderConfigured } from '../features/catalog/build'
import type { CatalogOffering } from '../features/catalog/models'
import { isBatchAdapter, type Adapters } from '../providers/registry'
import type { ProviderEndpoint, RequestAdapter } from '../providers/types'
import { applyOutcomes, type PendingOutcome } from './dispatch-outcomes'
import { providerEndpoint } from './provider-endpoint'
import { executeItem, readLines, type BatchInput, type ClaimedItem } from './dispatch-execute'
import type { Job } from './scheduler'

/** How long a claimed item may stay running before rescue-leases sends it again. */
export const ITEM_LEASE_MS = 10 * 60 * 1000
/** Longest an outcome waits for others to share its commit (its slot stays taken meanwhile). */
const FLUSH_AFTER_MS = 3
/** Cached lane rates and batch inputs are dropped past this many entries (they are cheap to reload). */
const CACHE_LIMIT = 10_000

export interface Dispatcher {
  job: Job
  abortBatch(batchId: string): void
  /** Stops claiming, waits for in-flight calls and flushes their outcomes. */
  drain(): Promise<void>
  /** Waits until no call is in flight and every outcome is recorded (tests driving jobs by hand). */
  settle(): Promise<void>
}

export interface DispatcherOptions {
  /**
   * Whether writing outcomes may claim the next items in the same transaction (true while the
   * scheduler runs). Otherwise a flush only nudges the job — tests driving jobs by hand keep
   * every claim explicit.
   */
  claimOnFlush?: () => boolean
}

type Rates = { input: number; output: number }
interface Claim {
  offering: CatalogOffering
  adapter: RequestAdapter
  endpoint: ProviderEndpoint
  items: ClaimedItem[]
}

export function createDispatcher(deps: Deps, adapters: Adapters, opts: DispatcherOptions = {}): Dispatcher {
  /** Per offering: items claimed whose outcome is not yet written. */
  const taken = new Map<string, number>()
  /** The same over all offerings. */
  let takenTotal = 0
  const running = new Map<string, { batchId: string; controller: AbortController; promise: Promise<void> }>()
  const stopping = new Map<string, 'cancelled' | 'expired'>()
  let buffer: Array<PendingOutcome & { offeringId: string }> = []
  let flushTimer: ReturnType<typeof setTimeout> | null = null
  let draining = false
  const claimItems = claimStatement(deps)
  // Lane rates and batch inputs never change once written; read each once.
  const laneRates = new Map<string, Rates>()
  const batchInputs = new Map<string, BatchInput>()

  const take = (offeringId: string, n: number) => {
    taken.set(offeringId, (taken.get(offeringId) ?? 0) + n)
    takenTotal += n
  }

  /** Claims due items for every offering with free slots (a transaction each, or savepoints inside one). */
  function claimDue(now: number): Claim[] {
    const claims: Claim[] = []
    const catalog = deps.catalog()
    for (const offering of catalog.offerings) {
      const provider = catalog.providers.find((p) => p.id === offering.provider)
      const adapter = provider ? adapters[provider.kind as keyof Adapters] : undefined
      // Batch-style adapters run provider jobs, not one call per item.
      if (!provider || !adapter || isBatchAdapter(adapter) || !isProviderConfigured(provider)) continue
      const free = offering.concurrency - (taken.get(offering.offering_id) ?? 0)
      if (free <= 0) continue
      const items = claimItems(offering.offering_id, free, now)
      if (items.length === 0) continue
      const endpoint = providerEndpoint(provider)
      claims.push({ offering, adapter, endpoint, items })
    }
    return claims
  }

  /** Takes the slots of committed claims and starts their calls. */
  function start(claims: Claim[]): void {
    for (const { offering, adapter, endpoint, items } of claims) {
      take(offering.offering_id, items.length)
      inputsOf(items)
      ratesOf(items)
      const upstreamModel = offering.upstream_model ?? offering.model
      // One read of the input file per batch for the whole claim group.
      for (const [batchId, group] of Map.groupBy(items, (i) => i.batchId)) {
        const input = batchInputs.get(batchId) ?? { inputPath: '', orgId: '' }
        const lines = readLines(input, group)
        for (const item of group) {
          const controller = new AbortController()
          const promise = executeItem(deps, adapter, endpoint, upstreamModel, item, input, lines, controller.signal)
            .then((outcome) => {
              const stoppedAs = stopping.get(item.batchId)
              const rates = laneRates.get(item.laneId ?? '') ?? { input: 0, output: 0 }
              record({ itemId: item.id, attempts: item.attempts, provider: offering.provider, offeringId: offering.offering_id, rates, outcome: controller.signal.aborted && stoppedAs ? { ok: false, itemId: item.id, stoppedAs } : outcome })
            })
            .finally(() => running.delete(item.id))
          running.set(item.id, { batchId: item.batchId, controller, promise })
        }
      }
    }
  }

  const flush = () => {
    if (flushTimer) clearTimeout(flushTimer)
    flushTimer = null
    if (buffer.length === 0) return
    const group = buffer
    buffer = []
    // Free the slots even if the write fails: those items stay `running` and their lease brings
    // them back; holding the slots would stall the offering for good.
    for (const o of group) take(o.offeringId, -1)
    const claimNow = !draining && (opts.claimOnFlush?.() ?? false)
    let claims: Claim[] = []
    try {
      writeTx(deps.db, () => {
        const now = deps.clock.now()
        applyOutcomes(deps, group, now)
        if (claimNow) claims = claimDue(now)
      })
    } catch (err) {
      claims = []
      deps.log.error('dispatch outcomes not written', { items: group.length, error: err instanceof Error ? err.message : String(err) })
    }
    start(claims)
    deps.nudge('finalize-batches')
    if (!draining && !claimNow) deps.nudge('dispatch-items')
  }
  const record = (o: PendingOutcome & { offeringId: string }) => {
    buffer.push(o)
    // Every claimed call is back: nothing more to wait for. Otherwise give the calls still out
    // a moment to join this commit (one fsync per group, not per item).
    if (buffer.length >= takenTotal) flush()
    else flushTimer ??= setTimeout(flush, FLUSH_AFTER_MS)
  }

  function inputsOf(items: ClaimedItem[]): void {
    const missing = [...new Set(items.map((i) => i.batchId))].filter((id) => !batchInputs.has(id))
    if (missing.length === 0) return
    if (batchInputs.size > CACHE_LIMIT) batchInputs.clear()
    const rows = deps.db.select({ id: batchesTable.id, inputPath: batchesTable.inputPath, orgId: batchesTable.orgId }).from(batchesTable).where(inArray(batchesTable.id, missing)).all()
    for (const r of rows) batchInputs.set(r.id, { inputPath: r.inputPath, orgId: r.orgId })
  }
  function ratesOf(items: ClaimedItem[]): void {
    const missing = [...new Set(items.map((i) => i.laneId ?? ''))].filter((id) => !laneRates.has(id))
    if (missing.length === 0) return
    if (laneRates.size > CACHE_LIMIT) laneRates.clear()
    const rows = deps.db.select({ id: lanesTable.id, input: lanesTable.inputRate, output: lanesTable.outputRate }).from(lanesTable).where(inArray(lanesTable.id, missing)).all()
    for (const r of rows) laneRates.set(r.id, { input: r.input, output: r.output })
  }

  const job: Job = {
    name: 'dispatch-items',
    run(_deps, now) {
      if (draining) return false
      start(claimDue(now))
      // Written outcomes claim more (or nudge this job), so a pass never asks for an immediate re-run.
      return false
    },
  }

  return {
    job,
    abortBatch(batchId) {
      const batch = deps.db.select({ endIntent: batchesTable.endIntent }).from(batchesTable).where(eq(batchesTable.id, batchId)).get()
      stopping.set(batchId, batch?.endIntent === 'expired' ? 'expired' : 'cancelled')
      for (const r of running.values()) if (r.batchId === batchId) r.controller.abort()
    },
    async drain() {
      draining = true
      await this.settle()
    },
    async settle() {
      while (running.size > 0) await Promise.allSettled([...running.values()].map((r) => r.promise))
      flush()
    },
  }
}

/**
 * Claims up to `limit` due queued items of an offering with one prepared
 * `UPDATE … WHERE id IN (SELECT … LIMIT n) RETURNING …`, and moves their batches to processing.
 */
function claimStatement(deps: Deps): (offeringId: string, limit: number, now: number) => ClaimedItem[] {
  let statements: ReturnType<typeof prepare> | undefined
  function prepare() {
    const dueWhere = and(eq(itemsTable.offeringId, sql.placeholder('offeringId')), eq(itemsTable.status, 'queued'), or(isNull(itemsTable.nextAttemptAt), lte(itemsTable.nextAttemptAt, sql.placeholder('now'))))
    const due = deps.db.select({ id: itemsTable.id }).from(itemsTable).where(dueWhere).orderBy(asc(itemsTable.nextAttemptAt)).limit(sql.placeholder('limit'))
    const t = itemsTable
    return {
      // A read first: most offerings have nothing due on most passes, and a write transaction
      // (BEGIN IMMEDIATE … COMMIT) per idle offering per pass would cost more than the claims.
      anyDue: deps.db.select({ id: t.id }).from(t).where(dueWhere).limit(1).prepare(),
      items: deps.db.update(t)
        .set({ status: 'running', leaseUntil: sql`${sql.placeholder('leaseUntil')}`, attempts: sql`${t.attempts} + 1` })
        .where(inArray(t.id, due))
        .returning({ id: t.id, batchId: t.batchId, laneId: t.laneId, offset: t.offset, length: t.length, operation: t.operation, url: t.url, model: t.model, attempts: t.attempts })
        .prepare(),
      batch: deps.db.update(batchesTable).set({ status: 'processing', updatedAt: sql`${sql.placeholder('now')}` })
        .where(and(eq(batchesTable.id, sql.placeholder('batchId')), eq(batchesTable.status, 'dispatched'))).prepare(),
    }
  }
  return (offeringId, limit, now) => {
    statements ??= prepare()
    const s = statements
    if (s.anyDue.all({ offeringId, now }).length === 0) return []
    return writeTx(deps.db, () => {
      const items = s.items.all({ offeringId, now, limit, leaseUntil: now + ITEM_LEASE_MS })
      for (const batchId of new Set(items.map((i) => i.batchId))) s.batch.run({ batchId, now })
      return items
    })
  }
}
