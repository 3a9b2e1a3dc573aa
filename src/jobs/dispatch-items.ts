/**
 * dispatch-items: keeps every offering's request slots full. A pass claims queued items whose
 * time has come, marks them running with a lease, and starts the provider calls without awaiting
 * them. Finished calls buffer their outcomes; the buffer is written in one transaction, and only
 * then are those items' claims released — while the scheduler runs, the same transaction claims
 * the next items.
 *
 * Pipelining (while the scheduler runs): an offering may hold up to CLAIM_GROUPS × concurrency
 * items claimed (`running` in the database) but never more than `concurrency` calls in flight.
 * The claimed-but-not-started items wait in a per-offering ready queue and each finished call
 * starts the next one at once, so the provider is not left idle while we write outcomes (an
 * fsync per commit) and claim more. A flush is due when an offering's ready queue runs dry
 * (about one group of `concurrency` outcomes buffered) or when no call is left in flight.
 *
 * Crash bound: the items `running` in the database are the calls in flight (≤ concurrency), the
 * outcomes buffered but not yet committed (≤ one group) and the ready items never sent. After a
 * kill -9 rescue-leases re-sends them all, but only the first two kinds were ever sent: at most
 * in flight + one flush group, i.e. 2 × concurrency. Tests that drive jobs by hand (no scheduler)
 * claim at most `concurrency`, one group, as before.
 */
import type { Statement } from 'bun:sqlite'
import { eq, inArray } from 'drizzle-orm'
import type { Deps } from '../deps'
import { writeTx } from '../db/tx'
import { batchesTable, transitionFrom } from '../features/batches/index'
import { lanesTable } from '../features/dispatch/index'
import { isProviderConfigured } from '../features/catalog/index'
import type { CatalogOffering } from '../catalog-schema'
import { isBatchAdapter, type Adapters } from '../providers/registry'
import type { ProviderEndpoint, RequestAdapter } from '../providers/types'
import { applyOutcomes, type PendingOutcome } from './dispatch-outcomes'
import { providerEndpoint } from './provider-endpoint'
import { executeItem, readLines, type BatchInput, type ClaimedItem, type LineResult } from './dispatch-execute'
import type { Job } from './scheduler'

/** How long a claimed item may stay running before rescue-leases sends it again. */

/** Constant status names (checked against the state machine), safe to inline in the prepared SQL. */
const PROCESSING_FROM = transitionFrom(['dispatched'], 'processing')

export const ITEM_LEASE_MS = 10 * 60 * 1000
/** Longest an outcome waits for others to share its commit. */
const FLUSH_AFTER_MS = 3
/** While the scheduler runs: claimed items per offering, in groups of `concurrency` (in flight + one group ready or buffered). */
export const CLAIM_GROUPS = 2
/** Cached lane rates and batch inputs are dropped past this many entries (they are cheap to reload). */
const CACHE_LIMIT = 10_000

export interface Dispatcher {
  job: Job
  abortBatch(batchId: string): void
  /** Stops claiming, waits for in-flight calls (and the ready items already claimed) and flushes their outcomes. */
  drain(): Promise<void>
  /** Waits until no call is in flight and every outcome is recorded (tests driving jobs by hand). */
  settle(): Promise<void>
}

export interface DispatcherOptions {
  /**
   * Whether writing outcomes may claim the next items in the same transaction (true while the
   * scheduler runs). Otherwise a flush only nudges the job — tests driving jobs by hand keep
   * every claim explicit, and then no more than `concurrency` items are claimed per offering.
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
type Buffered = PendingOutcome & { offeringId: string }

/** Per offering: what this process holds of it. */
interface Slots {
  /** Items claimed (`running` in the database) whose outcome is not yet committed. */
  claimed: number
  /** Calls in flight (≤ concurrency). */
  inFlight: number
  /** Claimed items not yet started, in claim order. */
  ready: Array<() => void>
  /** Index of the next ready starter (the array is reset when it runs dry). */
  next: number
  /** The last claim filled all the room it had: more is probably due, so a dry ready queue is worth a flush (which claims). */
  more: boolean
}

export function createDispatcher(deps: Deps, adapters: Adapters, opts: DispatcherOptions = {}): Dispatcher {
  const slots = new Map<string, Slots>()
  let inFlightTotal = 0
  let readyTotal = 0
  const running = new Map<string, { batchId: string; controller: AbortController; promise: Promise<void> }>()
  const stopping = new Map<string, 'cancelled' | 'expired'>()
  let buffer: Buffered[] = []
  let flushTimer: ReturnType<typeof setTimeout> | null = null
  let draining = false
  const statements = claimStatements(deps)
  // Lane rates and batch inputs never change once written; read each once.
  const laneRates = new Map<string, Rates>()
  const batchInputs = new Map<string, BatchInput>()

  const slotsOf = (offeringId: string): Slots => {
    let s = slots.get(offeringId)
    if (!s) slots.set(offeringId, (s = { claimed: 0, inFlight: 0, ready: [], next: 0, more: false }))
    return s
  }

  /** The request-style offerings that can be dispatched now, with their adapter and endpoint. */
  function dispatchable(): Array<{ offering: CatalogOffering; adapter: RequestAdapter; endpoint: ProviderEndpoint }> {
    const out: Array<{ offering: CatalogOffering; adapter: RequestAdapter; endpoint: ProviderEndpoint }> = []
    const catalog = deps.catalog()
    for (const offering of catalog.offerings) {
      const provider = catalog.providers.find((p) => p.id === offering.provider)
      const adapter = provider ? adapters[provider.kind as keyof Adapters] : undefined
      // Batch-style adapters run provider jobs, not one call per item.
      if (!provider || !adapter || isBatchAdapter(adapter) || !isProviderConfigured(provider)) continue
      out.push({ offering, adapter, endpoint: providerEndpoint(provider) })
    }
    return out
  }

  /** How many more items an offering may claim now. */
  const room = (offering: CatalogOffering, ahead: boolean) => offering.concurrency * (ahead ? CLAIM_GROUPS : 1) - (slots.get(offering.offering_id)?.claimed ?? 0)

  /** Claims due items for every offering with room; call inside a write transaction. */
  function claimDueInTx(now: number, ahead: boolean, only?: Set<string>): Claim[] {
    const claims: Claim[] = []
    for (const d of dispatchable()) {
      if (only && !only.has(d.offering.offering_id)) continue
      const free = room(d.offering, ahead)
      if (free <= 0) continue
      const items = statements.claim(d.offering.offering_id, free, now)
      slotsOf(d.offering.offering_id).more = ahead && CLAIM_GROUPS > 1 && items.length === free
      if (items.length > 0) claims.push({ ...d, items })
    }
    return claims
  }

  /** Outside a transaction (a scheduler pass): a read per offering first, a write transaction only when something is due. */
  function claimDue(now: number, ahead: boolean): Claim[] {
    const due = new Set<string>()
    for (const d of dispatchable()) if (room(d.offering, ahead) > 0 && statements.anyDue(d.offering.offering_id, now)) due.add(d.offering.offering_id)
    if (due.size === 0) return []
    return writeTx(deps.db, () => claimDueInTx(now, ahead, due))
  }

  /** Takes the claims of committed claims, queues their calls and starts as many as the offerings' concurrency allows. */
  function start(claims: Claim[]): void {
    for (const { offering, adapter, endpoint, items } of claims) {
      const s = slotsOf(offering.offering_id)
      s.claimed += items.length
      inputsOf(items)
      ratesOf(items)
      const upstreamModel = offering.upstream_model ?? offering.model
      // One read of the input file per batch for the whole claim group.
      for (const [batchId, group] of Map.groupBy(items, (i) => i.batchId)) {
        const input = batchInputs.get(batchId) ?? { inputPath: '', orgId: '' }
        const lines = readLines(input, group)
        for (const item of group) {
          s.ready.push(() => call(s, offering, adapter, endpoint, upstreamModel, item, input, lines))
          readyTotal++
        }
      }
      pump(s, offering.concurrency)
    }
  }

  /** Starts ready items while the offering has free call slots. */
  function pump(s: Slots, concurrency: number): void {
    while (s.inFlight < concurrency && s.next < s.ready.length) {
      const starter = s.ready[s.next]!
      s.ready[s.next++] = noop
      readyTotal--
      if (s.next === s.ready.length) {
        s.ready = []
        s.next = 0
      }
      starter()
    }
  }

  function call(s: Slots, offering: CatalogOffering, adapter: RequestAdapter, endpoint: ProviderEndpoint, upstreamModel: string, item: ClaimedItem, input: BatchInput, lines: Promise<Map<string, LineResult>>): void {
    const rates = laneRates.get(item.laneId ?? '') ?? { input: 0, output: 0 }
    const stoppedBefore = stopping.get(item.batchId)
    s.inFlight++
    inFlightTotal++
    if (stoppedBefore) {
      // Its batch was stopped while the item waited in the ready queue: never sent.
      queueMicrotask(() => finished(s, offering, { itemId: item.id, attempts: item.attempts, provider: offering.provider, offeringId: offering.offering_id, rates, outcome: { ok: false, itemId: item.id, stoppedAs: stoppedBefore } }))
      return
    }
    const controller = new AbortController()
    const promise = executeItem(deps, adapter, endpoint, upstreamModel, item, input, lines, controller.signal).then((outcome) => {
      running.delete(item.id)
      const stoppedAs = stopping.get(item.batchId)
      finished(s, offering, { itemId: item.id, attempts: item.attempts, provider: offering.provider, offeringId: offering.offering_id, rates, outcome: controller.signal.aborted && stoppedAs ? { ok: false, itemId: item.id, stoppedAs } : outcome })
    })
    running.set(item.id, { batchId: item.batchId, controller, promise })
  }

  /** A call is back: buffer its outcome, start the next ready item, and flush when a group is complete. */
  function finished(s: Slots, offering: CatalogOffering, o: Buffered): void {
    s.inFlight--
    inFlightTotal--
    buffer.push(o)
    pump(s, offering.concurrency)
    // Flush when no call is left anywhere, or when this offering has nothing ready to send while
    // more is due (its group is buffered and a flush claims the next); otherwise give the calls
    // still out a moment to join this commit (one fsync per group, not per item).
    if (inFlightTotal === 0 || (s.more && s.next >= s.ready.length)) flush()
    else flushTimer ??= setTimeout(flush, FLUSH_AFTER_MS)
  }

  const flush = () => {
    if (flushTimer) clearTimeout(flushTimer)
    flushTimer = null
    if (buffer.length === 0) return
    const group = buffer
    buffer = []
    // Release the claims even if the write fails: those items stay `running` and their lease
    // brings them back; holding the claims would stall the offering for good.
    for (const o of group) slotsOf(o.offeringId).claimed--
    const claimNow = !draining && (opts.claimOnFlush?.() ?? false)
    let claims: Claim[] = []
    try {
      writeTx(deps.db, () => {
        const now = deps.clock.now()
        applyOutcomes(deps, group, now)
        if (claimNow) claims = claimDueInTx(now, true)
      })
    } catch (err) {
      claims = []
      deps.log.error('dispatch outcomes not written', { items: group.length, error: err instanceof Error ? err.message : String(err) })
    }
    start(claims)
    deps.nudge('finalize-batches')
    if (!draining && !claimNow) deps.nudge('dispatch-items')
  }

  function inputsOf(items: ClaimedItem[]): void {
    let missing: Set<string> | undefined
    for (const i of items) if (!batchInputs.has(i.batchId)) (missing ??= new Set()).add(i.batchId)
    if (!missing) return
    if (batchInputs.size > CACHE_LIMIT) batchInputs.clear()
    const rows = deps.db.select({ id: batchesTable.id, inputPath: batchesTable.inputPath, orgId: batchesTable.orgId }).from(batchesTable).where(inArray(batchesTable.id, [...missing])).all()
    for (const r of rows) batchInputs.set(r.id, { inputPath: r.inputPath, orgId: r.orgId })
  }
  function ratesOf(items: ClaimedItem[]): void {
    let missing: Set<string> | undefined
    for (const i of items) if (!laneRates.has(i.laneId ?? '')) (missing ??= new Set()).add(i.laneId ?? '')
    if (!missing) return
    if (laneRates.size > CACHE_LIMIT) laneRates.clear()
    const rows = deps.db.select({ id: lanesTable.id, input: lanesTable.inputRate, output: lanesTable.outputRate }).from(lanesTable).where(inArray(lanesTable.id, [...missing])).all()
    for (const r of rows) laneRates.set(r.id, { input: r.input, output: r.output })
  }

  const job: Job = {
    name: 'dispatch-items',
    run(_deps, now) {
      if (draining) return false
      start(claimDue(now, opts.claimOnFlush?.() ?? false))
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
      // Ready items start as calls finish, so this loops until both are empty.
      while (running.size > 0 || inFlightTotal > 0 || readyTotal > 0) {
        if (running.size > 0) await Promise.allSettled([...running.values()].map((r) => r.promise))
        else await new Promise((resolve) => setTimeout(resolve, 0))
      }
      flush()
    },
  }
}

const noop = () => {}

/**
 * The claim as prepared bun:sqlite statements (no SQL building or row mapping per call): one
 * `UPDATE … WHERE id IN (SELECT … LIMIT n) RETURNING …` for the items, and moving their batches
 * to processing. Column aliases give the rows the ClaimedItem shape directly.
 */
function claimStatements(deps: Deps) {
  let s: { anyDue: Statement; items: Statement<ClaimedItem>; batch: Statement } | undefined
  const prepare = () => {
    const client = deps.db.$client
    const due = `offering_id = ? AND status = 'queued' AND (next_attempt_at IS NULL OR next_attempt_at <= ?)`
    return {
      // A read first on scheduler passes: most offerings have nothing due on most passes, and a
      // write transaction (BEGIN IMMEDIATE … COMMIT) per idle pass would cost more than the claims.
      anyDue: client.prepare(`SELECT 1 FROM items WHERE ${due} LIMIT 1`),
      items: client.prepare<ClaimedItem, [number, string, number, number]>(
        `UPDATE items SET status = 'running', lease_until = ?, attempts = attempts + 1
         WHERE rowid IN (SELECT rowid FROM items WHERE ${due} ORDER BY next_attempt_at LIMIT ?)
         RETURNING id, batch_id AS batchId, lane_id AS laneId, "offset" AS "offset", "length" AS "length", operation, url, model, attempts`,
      ),
      batch: client.prepare(`UPDATE batches SET status = 'processing', updated_at = ? WHERE id = ? AND status IN (${PROCESSING_FROM.map((x) => `'${x}'`).join(', ')})`),
    }
  }
  return {
    anyDue(offeringId: string, now: number): boolean {
      s ??= prepare()
      return s.anyDue.get(offeringId, now) !== null
    },
    /** Call inside a write transaction. */
    claim(offeringId: string, limit: number, now: number): ClaimedItem[] {
      s ??= prepare()
      const items = s.items.all(now + ITEM_LEASE_MS, offeringId, now, limit)
      let last: string | undefined
      for (const item of items) {
        if (item.batchId === last) continue
        last = item.batchId
        s.batch.run(now, item.batchId)
      }
      return items
    },
  }
}
