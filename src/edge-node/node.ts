/**
 * The edge node (contract §11): joins once (its credential then lives in the data dir), heartbeats
 * with its upstream's health, pulls leases up to its concurrency while the upstream is `ok`, calls
 * the upstream through the shared openai-compatible adapter, pushes results in small groups,
 * extends leases still running, backs off while the router is unreachable and resumes when it
 * answers, and on stop finishes what it holds (or, past the grace period, lets the leases lapse so
 * the router hands the items to someone else). Items live only in memory until their results are
 * accepted: the node keeps no copy after that.
 */
import type { Log } from '../lib/log'
import { VERSION } from '../version'
import { loadCredential, saveCredential, type NodeCredential } from './credential'
import { EdgeMetrics } from './metrics'
import type { EdgeOptions } from './options'
import { ResultBuffer, toResult } from './results'
import { backoffMs, postRouter, RouterUnreachable } from './router-client'
import { Signal } from './signal'
import { Upstream, type DeclaredOffering, type LeasedItem } from './upstream'

/** How long a long poll waits for work. */
const WAIT_SECONDS = 20
/** How long finished results wait for neighbours before they are pushed. */
const FLUSH_AFTER_MS = 20
/** On stop, how long in-flight calls may take before the node lets their leases lapse. */
const STOP_GRACE_MS = 60_000

export class EdgeNode {
  readonly metrics = new EdgeMetrics()
  private cred: NodeCredential | null = null
  private offerings: DeclaredOffering[] = []
  private stopping = false
  private draining = false
  private fatal: string | null = null
  private health: { upstream: 'ok' | 'degraded' | 'down'; detail?: string } = { upstream: 'ok' }
  private inFlight = 0
  /** Lease id → its items whose results the router has not accepted yet. */
  private readonly leases = new Map<string, number>()
  private readonly buffer = new ResultBuffer()
  private readonly poll = new AbortController()
  /** Slots freed, health changed, stopping: the lease loop looks again. */
  private readonly wake = new Signal()
  private readonly flushWake = new Signal()
  /** Only stopping: the timed loops (heartbeat, extend) sleep on it so call completions do not wake them. */
  private readonly stopSignal = new Signal()
  private readonly upstream: Upstream
  private loops: Promise<void>[] = []

  constructor(private readonly opts: EdgeOptions, private readonly log: Log) {
    this.upstream = new Upstream(opts.upstream, opts.upstreamKey)
  }

  /** Joined (or restored), the upstream healthy, the router answering, not stopping. */
  get ready(): { ok: boolean; reason: string } {
    if (this.fatal) return { ok: false, reason: this.fatal }
    if (this.stopping) return { ok: false, reason: 'stopping' }
    if (!this.cred) return { ok: false, reason: 'not joined yet' }
    if (!this.metrics.routerUp) return { ok: false, reason: 'router unreachable' }
    if (this.health.upstream !== 'ok') return { ok: false, reason: `upstream ${this.health.upstream}${this.health.detail ? `: ${this.health.detail}` : ''}` }
    return { ok: true, reason: this.draining ? 'draining' : 'ok' }
  }

  /** The node id once joined. */
  get nodeId(): string | null {
    return this.cred?.node_id ?? null
  }

  /** Why the node gave up (its token refused, its join token rejected), or null. */
  get failure(): string | null {
    return this.fatal
  }

  /** Discovers offerings, joins (or restores the stored credential) and starts the loops. Resolves once joined. */
  async start(): Promise<void> {
    this.offerings = this.opts.models.length > 0 ? this.opts.models.map((m) => ({ model: m.model, served_model: m.served, operations: /embed/i.test(m.served) ? ['embeddings'] : ['responses'] })) : await this.retry('discover the upstream models', () => this.upstream.discover())
    if (this.stopping) return
    this.cred = loadCredential(this.opts.dataDir, this.opts.router) ?? (await this.join())
    if (!this.cred) return
    this.log.info('edge node running', { node_id: this.cred.node_id, models: this.offerings.map((o) => o.model).join(','), concurrency: this.opts.concurrency })
    this.loops = [this.heartbeatLoop(), this.leaseLoop(), this.flushLoop(), this.extendLoop()]
  }

  /** Stops leasing, finishes the calls in flight and pushes their results (within the grace period), then resolves. */
  async stop(): Promise<void> {
    this.stopping = true
    this.poll.abort()
    this.wake.notify()
    this.stopSignal.notify()
    this.flushWake.notify()
    const deadline = Date.now() + STOP_GRACE_MS
    while ((this.inFlight > 0 || this.buffer.size > 0) && Date.now() < deadline && !this.fatal) await this.wake.wait(50)
    this.flushWake.notify()
    await Promise.race([Promise.allSettled(this.loops), Bun.sleep(Math.max(0, deadline - Date.now()))])
  }

  private async join(): Promise<NodeCredential | null> {
    if (!this.opts.joinToken) return this.giveUp(`no node credential in ${this.opts.dataDir}: pass --join-token (from \`batchrouter fleet token create\`) once to join`)
    const node = { name: this.opts.name, version: VERSION, offerings: this.offerings, capacity: { concurrent_items: this.opts.concurrency } }
    const res = await this.retry('join the router', () => postRouter(this.opts.router, '/v1/fleet/join', { join_token: this.opts.joinToken, node }))
    if (!res || res.status !== 201) return res ? this.giveUp(`join refused (HTTP ${res.status}): ${res.body?.error?.message ?? 'no message'}`) : null
    const cred: NodeCredential = { router: this.opts.router, ...res.body }
    saveCredential(this.opts.dataDir, cred)
    return cred
  }

  private giveUp(message: string): null {
    this.fatal = message
    this.log.error('edge node stopped', { reason: message })
    this.stopping = true
    this.poll.abort()
    this.wake.notify()
    this.stopSignal.notify()
    return null
  }

  /** Runs `fn` until it succeeds, backing off while the router or upstream is unreachable; undefined once stopping. */
  private async retry<T>(what: string, fn: () => Promise<T>): Promise<T> {
    for (let failures = 0; ; failures++) {
      try {
        const out = await fn()
        this.metrics.routerUp = 1
        return out
      } catch (err) {
        if (this.stopping) return undefined as T
        if (err instanceof RouterUnreachable) this.routerDown()
        this.log.warn(`could not ${what}; retrying`, { error: err instanceof Error ? err.message : String(err) })
        await this.stopSignal.wait(backoffMs(failures))
      }
    }
  }

  private routerDown(): void {
    this.metrics.routerErrors++
    this.metrics.routerUp = 0
  }

  private async heartbeatLoop(): Promise<void> {
    let first = true
    while (!this.stopping) {
      this.health = await this.upstream.health()
      this.metrics.upstreamUp = this.health.upstream === 'down' ? 0 : 1
      const body = { in_flight: this.inFlight, health: this.health, ...(first ? { offerings: this.offerings, capacity: { concurrent_items: this.opts.concurrency } } : {}) }
      try {
        const res = await postRouter(this.opts.router, '/v1/fleet/heartbeat', body, this.cred!.node_token)
        this.metrics.routerUp = 1
        if (res.status === 401) return void this.giveUp('the router refused this node\'s token (revoked?): mint a new join token and start the node with a fresh --data-dir')
        if (res.status === 200) {
          first = false
          this.draining = res.body.drain === true
          if (res.body.node_token) this.rotate(res.body.node_token, res.body.token_expires_at)
        }
      } catch (err) {
        if (!(err instanceof RouterUnreachable)) throw err
        this.routerDown()
      }
      this.wake.notify()
      await this.stopSignal.wait(this.cred!.heartbeat_interval_seconds * 1000)
    }
  }

  private rotate(token: string, expiresAt: string): void {
    this.cred = { ...this.cred!, node_token: token, token_expires_at: expiresAt }
    saveCredential(this.opts.dataDir, this.cred)
  }

  /** Leases when at least half the slots are free (or none is busy), so leases come in useful sizes. */
  private async leaseLoop(): Promise<void> {
    let failures = 0
    while (!this.stopping) {
      const room = this.opts.concurrency - this.inFlight
      if (this.draining || this.health.upstream !== 'ok' || room < Math.ceil(this.opts.concurrency / 2) && this.inFlight > 0) {
        await this.wake.wait(1000)
        continue
      }
      const started = performance.now()
      try {
        const res = await postRouter(this.opts.router, '/v1/fleet/leases', { max_items: Math.min(room, 500), wait_seconds: WAIT_SECONDS }, this.cred!.node_token, this.poll.signal, (WAIT_SECONDS + 30) * 1000)
        failures = 0
        this.metrics.routerUp = 1
        this.metrics.leaseMs += performance.now() - started
        if (res.status === 401) return void this.giveUp('the router refused this node\'s token (revoked?): mint a new join token and start the node with a fresh --data-dir')
        if (res.status === 200 && res.body.lease_id && res.body.items.length > 0) this.run(res.body.lease_id, res.body.items)
        else if (res.status !== 200) await this.wake.wait(backoffMs(3))
      } catch (err) {
        if (this.stopping) return
        if (!(err instanceof RouterUnreachable)) throw err
        this.routerDown()
        await this.wake.wait(backoffMs(failures++))
      }
    }
  }

  private run(leaseId: string, items: LeasedItem[]): void {
    this.metrics.leases++
    this.metrics.leasedItems += items.length
    this.leases.set(leaseId, (this.leases.get(leaseId) ?? 0) + items.length)
    for (const item of items) void this.call(leaseId, item)
  }

  private async call(leaseId: string, item: LeasedItem): Promise<void> {
    this.inFlight++
    this.metrics.inFlight = this.inFlight
    const started = performance.now()
    const outcome = await this.upstream.call(item)
    this.inFlight--
    this.metrics.inFlight = this.inFlight
    if (outcome.ok) this.metrics.itemsCompleted++
    else this.metrics.itemsFailed++
    this.buffer.add(leaseId, toResult(outcome, item.attempt, Math.round(performance.now() - started)))
    if (this.buffer.size >= this.opts.resultGroup || this.inFlight === 0) this.flushWake.notify()
    this.wake.notify()
  }

  /** Pushes buffered results in groups; a group the router did not get goes again after a back-off. */
  private async flushLoop(): Promise<void> {
    let failures = 0
    while (!this.fatal && (!this.stopping || this.buffer.size > 0 || this.inFlight > 0)) {
      if (this.buffer.size === 0) await this.flushWake.wait(this.stopping ? 50 : undefined)
      else if (this.buffer.size < this.opts.resultGroup && this.inFlight > 0) await this.flushWake.wait(FLUSH_AFTER_MS)
      const group = this.buffer.take(this.opts.resultGroup)
      if (!group) continue
      const started = performance.now()
      try {
        const res = await postRouter(this.opts.router, `/v1/fleet/leases/${group.leaseId}/results`, { results: group.results }, this.cred!.node_token)
        failures = 0
        this.metrics.routerUp = 1
        this.metrics.resultPosts++
        this.metrics.resultPostMs += performance.now() - started
        if (res.status === 401) return void this.giveUp('the router refused this node\'s token (revoked?)')
        if (res.status !== 200) this.log.warn('results not taken', { lease_id: group.leaseId, status: res.status, code: res.body?.error?.code })
        this.settled(group.leaseId, group.results.length)
      } catch (err) {
        if (!(err instanceof RouterUnreachable)) throw err
        this.routerDown()
        this.buffer.putBack(group.leaseId, group.results)
        await this.flushWake.wait(backoffMs(failures++))
      }
      this.wake.notify()
    }
  }

  private settled(leaseId: string, n: number): void {
    const left = (this.leases.get(leaseId) ?? n) - n
    if (left > 0) this.leases.set(leaseId, left)
    else this.leases.delete(leaseId)
  }

  /** Every third of a lease's length, extends the leases whose items are still running. */
  private async extendLoop(): Promise<void> {
    const every = (this.cred!.lease_seconds * 1000) / 3
    while (!this.stopping) {
      await this.stopSignal.wait(every)
      for (const leaseId of [...this.leases.keys()]) {
        try {
          const res = await postRouter(this.opts.router, `/v1/fleet/leases/${leaseId}/extend`, {}, this.cred!.node_token)
          if (res.status === 409 || res.status === 404) this.log.warn('lease lapsed before its results were in; its items went back to the router', { lease_id: leaseId })
        } catch (err) {
          if (!(err instanceof RouterUnreachable)) throw err
          this.routerDown()
        }
      }
    }
  }
}
