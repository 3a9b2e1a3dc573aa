/**
 * The jobs worker's side (worker.ts is its entrypoint): on `init` it opens its own SQLite
 * connection (WAL, beside the API thread's), builds deps, the runners and the scheduler, and
 * starts ticking. Nudges made here run here and are reported to the API thread together with
 * the job and outcome counts, once per turn of the event loop, so its `deps.onNudge` listeners
 * wake and its /metrics shows the work.
 */
import { validateConfig } from '../config'
import type { Deps, JobName, Metrics, OutcomeLike } from '../deps'
import type { Catalog } from '../catalog-schema'
import { openDb } from '../db/client'
import { systemClock } from '../lib/clock'
import { createLog } from '../lib/log'
import { systemTransport } from '../lib/safe-fetch'
import { createSignalBoard, type SignalBoard } from '../lib/signal-board'
import { createAdapters } from '../providers/registry'
import { createMetrics } from '../features/metrics/index'
import { createInProcessJobs, type InProcessJobs } from './in-process'
import type { Job } from './scheduler'
import type { FromJobsWorker, JobsWorkerInit, JobsWorkerReport, ToJobsWorker } from './worker-protocol'
import { withFleetLanes } from '../features/fleet/index'

/** The worker global as this module uses it. */
export interface WorkerScope {
  onmessage: ((event: MessageEvent<ToJobsWorker>) => void) | null
  postMessage(message: FromJobsWorker): void
}

/** Test seams of a worker entry (test/fixtures wraps a job's tick to block this thread). */
export interface JobsWorkerHooks {
  wrapJobs?: (jobs: Job[], deps: Deps) => Job[]
}

/** Answers the API thread's messages on `scope` until it says `stop`. */
export function serveJobsWorker(scope: WorkerScope, hooks: JobsWorkerHooks = {}): void {
  let jobs: InProcessJobs | undefined
  let deps: Deps | undefined
  let catalog: Catalog
  const report = createReporter((m) => scope.postMessage(m))
  // Listeners in this thread hear every nudge: made here, or sent by the API thread (not reported back: it announced those).
  const local = createSignalBoard<JobName>()
  scope.onmessage = (event) => {
    const m = event.data
    switch (m.kind) {
      case 'init': {
        catalog = m.catalog
        const built = workerDeps(m, { catalog: () => catalog, replaceCatalog: (next) => (catalog = next), jobs: () => jobs, report, local })
        deps = built
        jobs = createInProcessJobs(built, createAdapters(), { wrapJobs: hooks.wrapJobs && ((list) => hooks.wrapJobs!(list, built)) })
        jobs.start(m.config.tickMs)
        return scope.postMessage({ kind: 'started' })
      }
      case 'nudge':
        jobs?.nudge(m.job)
        return local.emit(m.job)
      case 'stop-batch':
        return jobs?.stopBatchWork(m.batchId)
      case 'catalog':
        catalog = m.catalog
        return
      case 'stop':
        return void stopWorker(jobs, deps, report, scope)
    }
  }
}

async function stopWorker(jobs: InProcessJobs | undefined, deps: Deps | undefined, report: Reporter, scope: WorkerScope): Promise<void> {
  try {
    await jobs?.stop()
  } finally {
    report.flush()
    deps?.db.$client.close()
    scope.postMessage({ kind: 'stopped' })
  }
}

/** What the worker's deps reach outside themselves: the catalog it was sent, its jobs (bound once built), the reporter. */
interface WorkerLinks {
  catalog: () => Catalog
  replaceCatalog: (next: Catalog) => Catalog
  jobs: () => InProcessJobs | undefined
  report: Reporter
  /** The board behind this thread's `deps.onNudge`. */
  local: SignalBoard<JobName>
}

function workerDeps(init: JobsWorkerInit, links: WorkerLinks): Deps {
  const config = validateConfig(structuredClone(init.config) as unknown as Record<string, unknown>)
  const { local } = links
  const deps: Deps = {
    config,
    db: openDb(init.paths.db),
    clock: systemClock,
    log: createLog(config.logLevel),
    paths: init.paths,
    // The API thread applies demo wiring before it sends a catalog; take it as it is. Online edge
    // nodes' lanes are added here as on the API thread (PRAGMA data_version sees the other's commits).
    catalog: () => withFleetLanes(deps, links.catalog()),
    replaceCatalog: links.replaceCatalog,
    metrics: forwardingMetrics(links.report),
    signingKey: init.signingKey,
    nudge: (job) => {
      links.jobs()?.nudge(job)
      local.emit(job)
      links.report.nudged(job)
    },
    onNudge: (job, fn) => local.on(job, fn),
    stopBatchWork: (batchId) => links.jobs()?.stopBatchWork(batchId),
    webhookTransport: systemTransport,
    baseUrl: () => init.baseUrl,
  }
  return deps
}

/** Collects nudges and counts and posts them as one report per turn of the event loop. */
interface Reporter {
  nudged(job: JobName): void
  jobPass(job: JobName, failed: boolean): void
  outcomes(list: readonly OutcomeLike[]): void
  /** Posts what is pending now (before `stopped`). */
  flush(): void
}

function createReporter(post: (m: JobsWorkerReport) => void): Reporter {
  let pending: JobsWorkerReport = { kind: 'report', nudged: [], jobPasses: [], outcomes: [] }
  let scheduled = false
  const flush = () => {
    scheduled = false
    const { nudged, jobPasses, outcomes } = pending
    if (nudged.length + jobPasses.length + outcomes.length === 0) return
    pending = { kind: 'report', nudged: [], jobPasses: [], outcomes: [] }
    post({ kind: 'report', nudged, jobPasses, outcomes })
  }
  const soon = () => {
    if (scheduled) return
    scheduled = true
    setImmediate(flush)
  }
  return {
    nudged(job) {
      if (!pending.nudged.includes(job)) pending.nudged.push(job)
      soon()
    },
    jobPass(job, failed) {
      pending.jobPasses.push({ job, failed })
      soon()
    },
    outcomes(list) {
      // Only what the counters read: an error object may hold what does not clone.
      for (const o of list) pending.outcomes.push({ provider: o.provider, outcome: slimOutcome(o.outcome) })
      soon()
    },
    flush,
  }
}

function slimOutcome(outcome: OutcomeLike['outcome']): OutcomeLike['outcome'] {
  if (outcome.ok) return { ok: true }
  return 'stoppedAs' in outcome ? { ok: false, stoppedAs: outcome.stoppedAs } : { ok: false, error: { kind: outcome.error.kind } }
}

/** Metrics whose job and outcome counts go to the API thread's registry (the one /metrics renders). */
function forwardingMetrics(report: Reporter): Metrics {
  const own = createMetrics()
  return {
    registry: own.registry,
    observeRequest: own.observeRequest,
    countJobPass: (job, failed) => report.jobPass(job, failed),
    countProviderOutcomes: (list) => report.outcomes(list),
  }
}
