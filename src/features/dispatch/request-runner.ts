/**
 * The request runner: keeps every request-style offering's call slots full (OpenAI-compatible
 * hosts, one call per item). A pass claims due items (one lease per claim group), marks their
 * batches processing, and starts the provider calls without awaiting them. Finished calls buffer
 * their outcomes; the buffer goes through the outcome path in one transaction, and only then are
 * those items' claims released — while the scheduler runs, the same transaction claims the next.
 *
 * Pipelining (while the scheduler runs): an offering may hold up to CLAIM_GROUPS × concurrency
 * items claimed (`running` in the database) but never more than `concurrency` calls in flight.
 * Claimed-but-not-started items wait in a per-offering ready queue and each finished call starts
 * the next at once, so the provider is not left idle while outcomes are written (an fsync per
 * commit) and more are claimed. A flush is due when an offering's ready queue runs dry (about one
 * group of outcomes buffered) or when no call is left in flight.
 *
 * Crash bound: the items `running` in the database are the calls in flight (≤ concurrency), the
 * outcomes buffered but not yet committed (≤ one group) and the ready items never sent. After a
 * kill -9 their leases are rescued and they are sent again, but only the first two kinds were ever
 * sent: at most in flight + one flush group, i.e. 2 × concurrency. Tests that drive jobs by hand
 * (no scheduler) claim at most `concurrency`, one group.
 */
import type { Deps } from '../../deps'
import type { CatalogOffering } from '../../catalog-schema'
import { writeTx } from '../../db/tx'
import type { Adapters } from '../../providers/registry'
import type { ItemOutcome } from '../../providers/types'
import { endLeaseInTx } from './leases'
import { recordOutcomesInTx, type PendingOutcome } from './outcomes'
import { claimOfferingItems, ITEM_LEASES, readLines, requestOf, type BatchInput, type ClaimedItem, type LineResult } from './item-work'
import { liveTargets, type RequestTarget } from './targets'
import { RunnerCaches } from './runner-caches'
import type { WorkPorts } from './ports'

/** How long a claimed item may stay running before rescue-leases gives it back. */
export const ITEM_LEASE_MS = 10 * 60 * 1000
/** Longest an outcome waits for others to share its commit. */
const FLUSH_AFTER_MS = 3
/** While the scheduler runs: claimed items per offering, in groups of `concurrency` (in flight + one group ready or buffered). */
export const CLAIM_GROUPS = 2
const HOLDER = 'request-runner'

export interface RequestRunnerOptions {
  /**
   * Whether writing outcomes may claim the next items in the same transaction (true while the
   * scheduler runs). Otherwise a flush only nudges dispatch-items — tests driving jobs by hand
   * keep every claim explicit, and then no more than `concurrency` items are claimed per offering.
   */
  claimAhead?: () => boolean
}

interface Claim {
  target: RequestTarget
  items: ClaimedItem[]
}
type Buffered = PendingOutcome & { offeringId: string; leaseId: string }

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

export class RequestRunner {
  private readonly slots = new Map<string, Slots>()
  private inFlightTotal = 0
  private readyTotal = 0
  private readonly running = new Map<string, { batchId: string; controller: AbortController; promise: Promise<void> }>()
  private readonly stopping = new Map<string, 'cancelled' | 'expired'>()
  /** Claimed items whose outcome is not committed yet (in flight, ready or buffered), counted per item id (a re-claimed item may be out twice). */
  private readonly unsettled = new Map<string, number>()
  /** Per lease: its items not settled yet; the lease ends with its last outcome. */
  private readonly leases = new Map<string, number>()
  private buffer: Buffered[] = []
  private flushTimer: ReturnType<typeof setTimeout> | null = null
  private flushed = Promise.withResolvers<void>()
  private draining = false
  private readonly caches: RunnerCaches

  constructor(private readonly deps: Deps, private readonly adapters: Adapters, private readonly ports: WorkPorts, private readonly opts: RequestRunnerOptions = {}) {
    this.caches = new RunnerCaches(deps, ports)
  }

  /** One pass: claims due items for every request-style offering with room and starts their calls (not awaited). */
  dispatch(now: number): void {
    if (this.draining) return
    this.start(this.claimDue(now, this.opts.claimAhead?.() ?? false))
  }

  /** Aborts the calls of a batch being stopped; its items still waiting are never sent. */
  abortBatch(batchId: string): void {
    this.stopping.set(batchId, this.ports.batch(this.deps, batchId)?.endIntent === 'expired' ? 'expired' : 'cancelled')
    for (const r of this.running.values()) if (r.batchId === batchId) r.controller.abort()
  }

  /** Stops claiming, waits for in-flight calls (and the ready items already claimed) and flushes their outcomes. */
  async drain(): Promise<void> {
    this.draining = true
    await this.settle()
  }

  /**
   * Waits until every claimed item's outcome is written — or, with `itemIds`, only those items'
   * (tests driving jobs by hand wait for the fast calls while slow ones hang).
   */
  async settle(itemIds?: readonly string[]): Promise<void> {
    if (itemIds) {
      while (itemIds.some((id) => this.unsettled.has(id))) await this.flushed.promise
      return
    }
    // Ready items start as calls finish, so this loops until both are empty.
    while (this.running.size > 0 || this.inFlightTotal > 0 || this.readyTotal > 0) {
      if (this.running.size > 0) await Promise.allSettled([...this.running.values()].map((r) => r.promise))
      else await new Promise((resolve) => setTimeout(resolve, 0))
    }
    this.flush()
  }

  private targets(): RequestTarget[] {
    return liveTargets(this.deps.catalog(), this.adapters).filter((t): t is RequestTarget => t.style === 'request')
  }

  private slotsOf(offeringId: string): Slots {
    let s = this.slots.get(offeringId)
    if (!s) this.slots.set(offeringId, (s = { claimed: 0, inFlight: 0, ready: [], next: 0, more: false }))
    return s
  }

  /** How many more items an offering may claim now. */
  private room(offering: CatalogOffering, ahead: boolean): number {
    return offering.concurrency * (ahead ? CLAIM_GROUPS : 1) - (this.slots.get(offering.offering_id)?.claimed ?? 0)
  }

  /** Claims due items for every offering with room (optionally only `only`); call inside a write transaction. */
  private claimDueInTx(now: number, ahead: boolean, only?: Set<string>): Claim[] {
    const claims: Claim[] = []
    for (const target of this.targets()) {
      const id = target.offering.offering_id
      const free = this.room(target.offering, ahead)
      if ((only && !only.has(id)) || free <= 0) continue
      const claim = claimOfferingItems.claimInTx(this.deps, { holder: HOLDER, until: now + ITEM_LEASE_MS, limit: free, now, params: { offeringId: id } })
      this.slotsOf(id).more = ahead && CLAIM_GROUPS > 1 && claim.rows.length === free
      if (claim.leaseId === null) continue
      this.leases.set(claim.leaseId, claim.rows.length)
      claims.push({ target, items: claim.rows })
    }
    if (claims.length > 0) this.ports.startedInTx(this.deps, new Set(claims.flatMap((c) => c.items.map((i) => i.batchId))), now)
    return claims
  }

  /** Outside a transaction (a scheduler pass): a read per offering first, a write transaction only when something is due. */
  private claimDue(now: number, ahead: boolean): Claim[] {
    const due = new Set<string>()
    for (const t of this.targets()) {
      if (this.room(t.offering, ahead) > 0 && claimOfferingItems.anyDue(this.deps, now, { offeringId: t.offering.offering_id })) due.add(t.offering.offering_id)
    }
    if (due.size === 0) return []
    return writeTx(this.deps.db, () => this.claimDueInTx(now, ahead, due))
  }

  /** Queues the calls of committed claims and starts as many as the offerings' concurrency allows. */
  private start(claims: Claim[]): void {
    for (const { target, items } of claims) {
      const s = this.slotsOf(target.offering.offering_id)
      s.claimed += items.length
      const inputs = this.caches.inputs(items)
      this.caches.rates(items)
      // One read of the input file per batch for the whole claim group.
      for (const [batchId, group] of Map.groupBy(items, (i) => i.batchId)) {
        const input = inputs.get(batchId) ?? { inputPath: '', orgId: '' }
        const lines = readLines(input, group)
        for (const item of group) {
          this.unsettled.set(item.id, (this.unsettled.get(item.id) ?? 0) + 1)
          s.ready.push(() => this.call(s, target, item, input, lines))
          this.readyTotal++
        }
      }
      this.pump(s, target.offering.concurrency)
    }
  }

  /** Starts ready items while the offering has free call slots. */
  private pump(s: Slots, concurrency: number): void {
    while (s.inFlight < concurrency && s.next < s.ready.length) {
      const starter = s.ready[s.next]!
      s.ready[s.next++] = noop
      this.readyTotal--
      if (s.next === s.ready.length) {
        s.ready = []
        s.next = 0
      }
      starter()
    }
  }

  private call(s: Slots, target: RequestTarget, item: ClaimedItem, input: BatchInput, lines: Promise<Map<string, LineResult>>): void {
    const base = { itemId: item.id, attempt: item.attempts, provider: target.offering.provider, rates: this.caches.rateOf(item.laneId), offeringId: target.offering.offering_id, leaseId: item.leaseId ?? '' }
    const stoppedBefore = this.stopping.get(item.batchId)
    s.inFlight++
    this.inFlightTotal++
    if (stoppedBefore) {
      // Its batch was stopped while the item waited in the ready queue: never sent.
      queueMicrotask(() => this.finished(s, target, { ...base, outcome: { ok: false, itemId: item.id, stoppedAs: stoppedBefore } }))
      return
    }
    const controller = new AbortController()
    const promise = this.execute(target, item, input, lines, controller.signal).then((outcome) => {
      this.running.delete(item.id)
      const stoppedAs = this.stopping.get(item.batchId)
      this.finished(s, target, { ...base, outcome: controller.signal.aborted && stoppedAs ? { ok: false, itemId: item.id, stoppedAs } : outcome })
    })
    this.running.set(item.id, { batchId: item.batchId, controller, promise })
  }

  /** Never throws: every failure becomes an ItemOutcome the outcome path understands. */
  private async execute(target: RequestTarget, item: ClaimedItem, input: BatchInput, lines: Promise<Map<string, LineResult>>, signal: AbortSignal): Promise<ItemOutcome> {
    try {
      const request = await requestOf(this.deps, item, (await lines).get(item.id), input, target.upstreamModel)
      return await target.adapter.call(target.endpoint, request, signal)
    } catch (err) {
      this.deps.log.warn('item could not be sent', { batch_id: item.batchId, item_id: item.id, error: err instanceof Error ? err.message : String(err) })
      return { ok: false, itemId: item.id, error: { kind: 'invalid_request', retryable: false, message: 'The item could not be turned into a provider request (its input file or image may be missing).' } }
    }
  }

  /** A call is back: buffer its outcome, start the next ready item, and flush when a group is complete. */
  private finished(s: Slots, target: RequestTarget, o: Buffered): void {
    s.inFlight--
    this.inFlightTotal--
    this.buffer.push(o)
    this.pump(s, target.offering.concurrency)
    // Flush when no call is left anywhere, or when this offering has nothing ready to send while
    // more is due (its group is buffered and a flush claims the next); otherwise give the calls
    // still out a moment to join this commit (one fsync per group, not per item).
    if (this.inFlightTotal === 0 || (s.more && s.next >= s.ready.length)) this.flush()
    else this.flushTimer ??= setTimeout(this.flush, FLUSH_AFTER_MS)
  }

  private readonly flush = (): void => {
    if (this.flushTimer) clearTimeout(this.flushTimer)
    this.flushTimer = null
    if (this.buffer.length === 0) return
    const group = this.buffer
    this.buffer = []
    // Release the claims even if the write fails: those items stay `running` and their lease
    // brings them back; holding the claims would stall the offering for good.
    for (const o of group) this.slotsOf(o.offeringId).claimed--
    const claimNow = !this.draining && (this.opts.claimAhead?.() ?? false)
    const claims = this.writeGroup(group, claimNow)
    for (const o of group) {
      const left = (this.unsettled.get(o.itemId) ?? 1) - 1
      if (left > 0) this.unsettled.set(o.itemId, left)
      else this.unsettled.delete(o.itemId)
    }
    this.flushed.resolve()
    this.flushed = Promise.withResolvers<void>()
    this.start(claims)
    this.deps.nudge('finalize-batches')
    if (!this.draining && !claimNow) this.deps.nudge('dispatch-items')
  }

  /** One transaction: the group's outcomes, the leases they finish, and (while the scheduler runs) the next claims. */
  private writeGroup(group: Buffered[], claimNow: boolean): Claim[] {
    try {
      let events = 0
      const claims = writeTx(this.deps.db, () => {
        const now = this.deps.clock.now()
        events = recordOutcomesInTx(this.deps, this.ports, group, now).progressEvents
        for (const leaseId of this.finishedLeases(group)) endLeaseInTx(this.deps, ITEM_LEASES, leaseId, now)
        return claimNow ? this.claimDueInTx(now, true) : []
      })
      if (events > 0) this.deps.nudge('deliver-webhooks')
      return claims
    } catch (err) {
      this.deps.log.error('dispatch outcomes not written', { items: group.length, error: err instanceof Error ? err.message : String(err) })
      return []
    }
  }

  /** Leases whose every item is in `group` or settled before: they end with this commit. */
  private finishedLeases(group: Buffered[]): string[] {
    const done: string[] = []
    for (const o of group) {
      const left = (this.leases.get(o.leaseId) ?? 1) - 1
      if (left > 0) this.leases.set(o.leaseId, left)
      else if (this.leases.delete(o.leaseId)) done.push(o.leaseId)
    }
    return done
  }
}

const noop = () => {}
