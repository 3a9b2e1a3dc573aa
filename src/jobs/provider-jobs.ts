/**
 * Provider jobs in the scheduler: submission rides on the dispatch-items pass (every pass starts
 * submitting the due lanes of batch-dialect offerings, one lane at a time per offering, tracked so
 * `settle`/`drain` wait for it), and `collect-results` is its own job polling due provider jobs.
 * `abortBatch` aborts submissions in flight for a stopped batch and makes its jobs due, so their
 * remote jobs are cancelled on the next collect pass.
 */
import type { Deps } from '../deps'
import { isProviderConfigured } from '../features/catalog/index'
import type { ProviderJobRow } from '../features/dispatch/index'
import { isBatchAdapter, type Adapters } from '../providers/registry'
import type { Dispatcher } from './dispatch-items'
import { finishJob, pollJob, stopJob } from './collect-results'
import { batchFacts, claimDueJobs, endJob, lanesWithDueItems, markBatchJobsDue, unfinishedJob } from './provider-job-store'
import { resolveTarget } from './provider-target'
import { resubmitJob, submitLane, type SubmitHooks } from './submit-provider-jobs'
import type { Job } from './scheduler'

/** Provider jobs polled per collect-results pass. */
const COLLECT_CLAIM = 10
/** Lanes one offering submits per dispatch pass. */
const LANES_PER_PASS = 5

export interface ProviderJobRunner {
  /** Starts submitting due lanes of every batch-dialect offering (does not wait). */
  submitDue(now: number): void
  /** The `collect-results` scheduler job. */
  collectJob: Job
  abortBatch(batchId: string): void
  /** Waits until no submission (nor its first poll) is in flight. */
  settle(): Promise<void>
  /** Stops starting work and waits for what is in flight. */
  drain(): Promise<void>
}

export function createProviderJobRunner(deps: Deps, adapters: Adapters): ProviderJobRunner {
  const tracked = new Set<Promise<void>>()
  const busy = new Set<string>()
  const stoppers = new Map<string, Set<AbortController>>()
  let draining = false

  const track = (work: Promise<void>) => {
    const p = work.catch((err) => deps.log.error('provider job work failed', { error: err instanceof Error ? (err.stack ?? err.message) : String(err) })).finally(() => tracked.delete(p))
    tracked.add(p)
  }

  const hooks: SubmitHooks = {
    register(batchId) {
      const controller = new AbortController()
      const set = stoppers.get(batchId) ?? new Set()
      set.add(controller)
      stoppers.set(batchId, set)
      return {
        signal: controller.signal,
        done: () => {
          set.delete(controller)
          if (set.size === 0 && stoppers.get(batchId) === set) stoppers.delete(batchId)
        },
      }
    },
    collectNow: async (jobId) => {
      for (const job of claimDueJobs(deps, deps.clock.now(), 1, [jobId])) await collect(job)
    },
  }

  async function collect(job: ProviderJobRow): Promise<void> {
    const now = deps.clock.now()
    const batch = batchFacts(deps, job.batchId)
    const target = resolveTarget(deps, adapters, job.offeringId)
    if (!batch) return endJob(deps, job.id, 'cancelled', 'batch_stopped', now)
    if (!target) return finishJob(deps, null, job, batch, { state: 'failed', withResults: false, error: 'The provider is no longer configured.' }, now)
    if (job.status === 'submitting') return resubmitJob(deps, target, job, hooks, now)
    if (batch.endIntent) return stopJob(deps, target, job, batch, now, false)
    const stop = hooks.register(job.batchId)
    try {
      await pollJob(deps, target, job, batch, now, stop.signal)
    } finally {
      stop.done()
    }
    // Aborted mid-poll because the batch was just stopped: finish the stop now, without another call.
    const after = stop.signal.aborted ? batchFacts(deps, job.batchId) : undefined
    const fresh = after?.endIntent ? unfinishedJob(deps, job.id) : undefined
    if (after && fresh) await stopJob(deps, target, fresh, after, deps.clock.now(), true)
  }

  function submitDue(now: number): void {
    if (draining) return
    const catalog = deps.catalog()
    for (const offering of catalog.offerings) {
      if (busy.has(offering.offering_id)) continue
      const provider = catalog.providers.find((p) => p.id === offering.provider)
      const adapter = provider ? adapters[provider.kind as keyof Adapters] : undefined
      if (!provider || !adapter || !isBatchAdapter(adapter) || !isProviderConfigured(provider)) continue
      const lanes = lanesWithDueItems(deps, offering.offering_id, now, LANES_PER_PASS)
      const target = lanes.length > 0 ? resolveTarget(deps, adapters, offering.offering_id) : null
      if (!target) continue
      busy.add(offering.offering_id)
      track(
        (async () => {
          let claimed = 0
          try {
            for (const laneId of lanes) claimed += await submitLane(deps, target, laneId, hooks, deps.clock.now())
          } finally {
            busy.delete(offering.offering_id)
          }
          // More may have come due meanwhile (retries, re-routes, other lanes).
          if (claimed > 0 && !draining) deps.nudge('dispatch-items')
        })(),
      )
    }
  }

  const collectJob: Job = {
    name: 'collect-results',
    async run(_deps, now) {
      if (draining) return false
      const claimed = claimDueJobs(deps, now, COLLECT_CLAIM)
      await Promise.all(claimed.map((job) => collect(job).catch((err) => deps.log.error('collect-results failed', { job_id: job.id, error: err instanceof Error ? err.message : String(err) }))))
      return claimed.length === COLLECT_CLAIM
    },
  }

  return {
    submitDue,
    collectJob,
    abortBatch(batchId) {
      for (const controller of stoppers.get(batchId) ?? []) controller.abort()
      stoppers.delete(batchId)
      if (markBatchJobsDue(deps, batchId, deps.clock.now()) > 0) deps.nudge('collect-results')
    },
    async settle() {
      while (tracked.size > 0) await Promise.allSettled([...tracked])
    },
    async drain() {
      draining = true
      await this.settle()
    },
  }
}

/**
 * The dispatcher with provider jobs folded in: its pass also submits batch-dialect lanes, and
 * abort/settle/drain cover provider jobs too. The job keeps its name, `dispatch-items`.
 */
export function withProviderJobs(dispatcher: Dispatcher, runner: ProviderJobRunner): Dispatcher {
  return {
    job: {
      name: dispatcher.job.name,
      async run(deps, now) {
        const more = await dispatcher.job.run(deps, now)
        runner.submitDue(now)
        return more
      },
    },
    abortBatch(batchId) {
      dispatcher.abortBatch(batchId)
      runner.abortBatch(batchId)
    },
    async drain() {
      await Promise.all([dispatcher.drain(), runner.drain()])
    },
    async settle() {
      // A submission's first poll can re-route items to request-style lanes, and the reverse: settle until both are quiet.
      await Promise.all([dispatcher.settle(), runner.settle()])
      await dispatcher.settle()
    },
  }
}
