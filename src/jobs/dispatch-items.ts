/**
 * dispatch-items: keeps every offering's request slots full. A pass claims queued items whose
 * time has come (up to each offering's free concurrency), marks them running with a lease, and
 * starts the provider calls without awaiting them; each finished call frees a slot, its outcome
 * is buffered and flushed in groups, and the job is nudged to claim more.
 */
import { and, asc, eq, inArray, isNull, lte, or, sql } from 'drizzle-orm'
import type { Deps } from '../deps'
import { writeTx } from '../db/tx'
import { batchesTable, itemsTable, lanesTable, type ItemRow } from '../features/batches/index'
import { isProviderConfigured } from '../features/catalog/build'
import type { Adapters } from '../providers/registry'
import type { ProviderEndpoint } from '../providers/types'
import { applyOutcomes, type PendingOutcome } from './dispatch-outcomes'
import { executeItems } from './dispatch-execute'
import type { Job } from './scheduler'

/** How long a claimed item may stay running before rescue-leases sends it again. */
export const ITEM_LEASE_MS = 10 * 60 * 1000
const FLUSH_AFTER_MS = 5
const FLUSH_AT = 256

export interface Dispatcher {
  job: Job
  abortBatch(batchId: string): void
  /** Stops claiming, waits for in-flight calls and flushes their outcomes. */
  drain(): Promise<void>
  /** Waits until no call is in flight and every outcome is recorded (tests driving jobs by hand). */
  settle(): Promise<void>
}

export function createDispatcher(deps: Deps, adapters: Adapters): Dispatcher {
  const inFlight = new Map<string, number>()
  const running = new Map<string, { batchId: string; controller: AbortController; promise: Promise<void> }>()
  const stopping = new Map<string, 'cancelled' | 'expired'>()
  let buffer: PendingOutcome[] = []
  let flushTimer: ReturnType<typeof setTimeout> | null = null
  let draining = false

  const flush = () => {
    if (flushTimer) clearTimeout(flushTimer)
    flushTimer = null
    if (buffer.length === 0) return
    const batch = buffer
    buffer = []
    applyOutcomes(deps, batch, deps.clock.now())
    deps.nudge('finalize-batches')
    if (!draining) deps.nudge('dispatch-items')
  }
  const record = (o: PendingOutcome) => {
    buffer.push(o)
    if (buffer.length >= FLUSH_AT) flush()
    else flushTimer ??= setTimeout(flush, FLUSH_AFTER_MS)
  }

  const job: Job = {
    name: 'dispatch-items',
    async run(_deps, now) {
      if (draining) return false
      const catalog = deps.catalog()
      for (const offering of catalog.offerings) {
        const provider = catalog.providers.find((p) => p.id === offering.provider)
        const adapter = provider ? adapters[provider.kind as keyof Adapters] : undefined
        if (!provider || !adapter || !isProviderConfigured(provider)) continue
        const free = offering.concurrency - (inFlight.get(offering.offering_id) ?? 0)
        if (free <= 0) continue
        const items = claimItems(deps, offering.offering_id, free, now)
        if (items.length === 0) continue
        inFlight.set(offering.offering_id, (inFlight.get(offering.offering_id) ?? 0) + items.length)
        const endpoint: ProviderEndpoint = { providerId: provider.id, baseUrl: provider.base_url!, apiKey: provider.api_key_env ? process.env[provider.api_key_env] : undefined }
        const lanes = laneRates(deps, items)
        for (const item of items) {
          const controller = new AbortController()
          const promise = executeItems(deps, adapter, endpoint, offering.upstream_model ?? offering.model, item, controller.signal)
            .then((outcome) => {
              const stoppedAs = stopping.get(item.batchId)
              const lane = lanes.get(item.laneId ?? '')!
              record({ itemId: item.id, attempts: item.attempts, provider: offering.provider, rates: lane, outcome: controller.signal.aborted && stoppedAs ? { ok: false, itemId: item.id, stoppedAs } : outcome })
            })
            .finally(() => {
              running.delete(item.id)
              inFlight.set(offering.offering_id, (inFlight.get(offering.offering_id) ?? 1) - 1)
            })
          running.set(item.id, { batchId: item.batchId, controller, promise })
        }
      }
      // Finished calls nudge this job, so a pass never needs to ask for an immediate re-run.
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

/** Claims up to `limit` due queued items of an offering, marks them running, moves their batches to processing. */
function claimItems(deps: Deps, offeringId: string, limit: number, now: number): ItemRow[] {
  return writeTx(deps.db, () => {
    const due = deps.db.select({ id: itemsTable.id }).from(itemsTable)
      .where(and(eq(itemsTable.offeringId, offeringId), eq(itemsTable.status, 'queued'), or(isNull(itemsTable.nextAttemptAt), lte(itemsTable.nextAttemptAt, now))))
      .orderBy(asc(itemsTable.nextAttemptAt)).limit(limit).all()
    if (due.length === 0) return []
    const items = deps.db.update(itemsTable).set({ status: 'running', leaseUntil: now + ITEM_LEASE_MS, attempts: sql`${itemsTable.attempts} + 1` }).where(inArray(itemsTable.id, due.map((d) => d.id))).returning().all()
    const batchIds = [...new Set(items.map((i) => i.batchId))]
    deps.db.update(batchesTable).set({ status: 'processing', updatedAt: now }).where(and(inArray(batchesTable.id, batchIds), eq(batchesTable.status, 'dispatched'))).run()
    return items
  })
}

/** Locked rates of the lanes these items belong to. */
function laneRates(deps: Deps, items: ItemRow[]): Map<string, { input: number; output: number }> {
  const ids = [...new Set(items.map((i) => i.laneId ?? ''))]
  const rows = deps.db.select({ id: lanesTable.id, input: lanesTable.inputRate, output: lanesTable.outputRate }).from(lanesTable).where(inArray(lanesTable.id, ids)).all()
  return new Map(rows.map((r) => [r.id, { input: r.input, output: r.output }]))
}
