/**
 * The batch runner: provider batch APIs (OpenAI Batch, Anthropic Message Batches). `submitDue`
 * starts submitting the due lanes of every batch-dialect offering (one lane at a time per
 * offering, tracked so `settle`/`drain` wait for it); `collectDue` claims due provider jobs and
 * polls them. `abortBatch` aborts submissions in flight for a stopped batch and makes its jobs due,
 * so their remote jobs are cancelled on the next collect pass.
 */
import type { Deps } from '../../deps'
import type { Adapters } from '../../providers/registry'
import { endLease } from './leases'
import { finishJob, pollJob, stopJob } from './batch-collect'
import { resubmitJob, submitLane, type SubmitHooks } from './batch-submit'
import type { BatchContext } from './job-failover'
import type { WorkPorts } from './ports'
import { claimDueJobs, claimJob, endJob, jobLog, lanesWithDueItems, markBatchJobsDue, POLL_LEASE_MS, PROVIDER_JOB_LEASES, unfinishedJob } from './provider-jobs'
import type { ProviderJobRow } from './table'
import { liveTargets, targetOf, type BatchTarget } from './targets'

/** Provider jobs polled per collect pass. */
export const COLLECT_CLAIM = 10
/** Lanes one offering submits per dispatch pass. */
const LANES_PER_PASS = 5
const HOLDER = 'collect-results'

export class BatchRunner {
  private readonly tracked = new Set<Promise<void>>()
  private readonly busy = new Set<string>()
  private readonly stoppers = new Map<string, Set<AbortController>>()
  private draining = false
  private readonly ctx: BatchContext
  private readonly hooks: SubmitHooks

  constructor(deps: Deps, private readonly adapters: Adapters, ports: WorkPorts) {
    this.ctx = { deps, ports }
    this.hooks = { register: (batchId) => this.register(batchId), collectNow: (jobId) => this.collectNow(jobId) }
  }

  /** Starts submitting due lanes of every batch-dialect offering (does not wait). */
  submitDue(now: number): void {
    if (this.draining) return
    const { deps } = this.ctx
    for (const target of liveTargets(deps.catalog(), this.adapters)) {
      if (target.style !== 'batch' || this.busy.has(target.offering.offering_id)) continue
      const lanes = lanesWithDueItems(deps, target.offering.offering_id, now, LANES_PER_PASS)
      if (lanes.length > 0) this.track(this.submitLanes(target, lanes))
    }
  }

  /** One collect pass: claims up to COLLECT_CLAIM due jobs and follows each; true when the claim was full (more may be due). */
  async collectDue(now: number): Promise<boolean> {
    if (this.draining) return false
    const { deps } = this.ctx
    const claim = claimDueJobs.claim(deps, { holder: HOLDER, until: now + POLL_LEASE_MS, limit: COLLECT_CLAIM, now })
    const failed = await Promise.all(claim.rows.map((job) => this.collect(job).then(() => false, (err) => {
      jobLog(deps, job).error('collect-results failed', { error: err instanceof Error ? err.message : String(err) })
      return true
    })))
    // A job whose pass failed keeps the lease until it lapses: it is looked at again in POLL_LEASE_MS, not on the next tick.
    if (claim.leaseId && !failed.includes(true)) endLease(deps, PROVIDER_JOB_LEASES, claim.leaseId, deps.clock.now())
    return claim.rows.length === COLLECT_CLAIM
  }

  /** Aborts submissions in flight for the batch and makes its provider jobs due now. */
  abortBatch(batchId: string): void {
    const { deps } = this.ctx
    for (const controller of this.stoppers.get(batchId) ?? []) controller.abort()
    this.stoppers.delete(batchId)
    if (markBatchJobsDue(deps, batchId, deps.clock.now()) > 0) deps.nudge('collect-results')
  }

  /** Waits until no submission (nor its first poll) is in flight. */
  async settle(): Promise<void> {
    while (this.tracked.size > 0) await Promise.allSettled([...this.tracked])
  }

  /** Stops starting work and waits for what is in flight. */
  async drain(): Promise<void> {
    this.draining = true
    await this.settle()
  }

  private async submitLanes(target: BatchTarget, lanes: string[]): Promise<void> {
    const id = target.offering.offering_id
    this.busy.add(id)
    let claimed = 0
    try {
      for (const laneId of lanes) claimed += await submitLane(this.ctx, target, laneId, this.hooks, this.ctx.deps.clock.now())
    } finally {
      this.busy.delete(id)
    }
    // More may have come due meanwhile (retries, re-routes, other lanes).
    if (claimed > 0 && !this.draining) this.ctx.deps.nudge('dispatch-items')
  }

  private async collectNow(jobId: string): Promise<void> {
    const { deps } = this.ctx
    const now = deps.clock.now()
    const claim = claimJob.claim(deps, { holder: HOLDER, until: now + POLL_LEASE_MS, limit: 1, now, params: { id: jobId } })
    for (const job of claim.rows) await this.collect(job)
    if (claim.leaseId) endLease(deps, PROVIDER_JOB_LEASES, claim.leaseId, deps.clock.now())
  }

  /** Follows one claimed job: reconcile a submission, stop it for a stopped batch, or poll it. */
  private async collect(job: ProviderJobRow): Promise<void> {
    const { deps, ports } = this.ctx
    const now = deps.clock.now()
    const batch = ports.batch(deps, job.batchId)
    const found = targetOf(deps.catalog(), this.adapters, job.offeringId)
    const target = found?.style === 'batch' ? found : null
    if (!batch) return endJob(deps, job.id, 'cancelled', 'batch_stopped', now)
    if (!target) return finishJob(this.ctx, null, job, batch, { state: 'failed', withResults: false, error: 'The provider is no longer configured.' }, now)
    if (job.status === 'submitting') return resubmitJob(this.ctx, target, job, this.hooks, now)
    if (batch.endIntent) return stopJob(this.ctx, target, job, batch, now, false)
    const stop = this.register(job.batchId)
    try {
      await pollJob(this.ctx, target, job, batch, now, stop.signal)
    } finally {
      stop.done()
    }
    // Aborted mid-poll because the batch was just stopped: finish the stop now, without another call.
    const after = stop.signal.aborted ? ports.batch(deps, job.batchId) : undefined
    const fresh = after?.endIntent ? unfinishedJob(deps, job.id) : undefined
    if (after && fresh) await stopJob(this.ctx, target, fresh, after, deps.clock.now(), true)
  }

  /** An AbortSignal that fires when the batch's work is stopped; `done` forgets it. */
  private register(batchId: string): { signal: AbortSignal; done: () => void } {
    const controller = new AbortController()
    const set = this.stoppers.get(batchId) ?? new Set()
    set.add(controller)
    this.stoppers.set(batchId, set)
    return {
      signal: controller.signal,
      done: () => {
        set.delete(controller)
        if (set.size === 0 && this.stoppers.get(batchId) === set) this.stoppers.delete(batchId)
      },
    }
  }

  private track(work: Promise<void>): void {
    const p = work.catch((err) => this.ctx.deps.log.error('provider job work failed', { error: err instanceof Error ? (err.stack ?? err.message) : String(err) })).finally(() => this.tracked.delete(p))
    this.tracked.add(p)
  }
}
