/**
 * The API thread's side of the jobs worker: starts it with what it needs to build its own deps,
 * turns nudges, stopped batches and catalog reloads into messages, and applies its reports —
 * nudges made in the worker wake this thread's `deps.onNudge` listeners, job and outcome counts
 * go into this thread's /metrics registry.
 *
 * A worker that dies without being asked to stop (an uncaught error in a runner, out of memory)
 * is logged and started again after `restartDelayMs`; the API keeps answering meanwhile. Rows it
 * held leased are given back by rescue-leases once their leases lapse — the same path as a hung
 * call, so no item is lost and none is sent twice while a call could still be in flight. Exiting
 * the process instead would take the API down for every client because of one job's bug.
 */
import type { Catalog } from '../catalog-schema'
import type { Deps, JobName } from '../deps'
import type { SignalBoard } from '../lib/signal-board'
import type { JobsHost } from './jobs-host'
import type { FromJobsWorker, ToJobsWorker } from './worker-protocol'

export interface JobsWorkerOptions {
  /**
   * The catalog to hand the worker at start (and at a restart): the configured one with this
   * thread's demo wiring, before anything the worker derives itself (so `deps.catalog()` only
   * when the two are the same).
   */
  catalog: () => Catalog
  /** The worker entry module (default: jobs/worker.ts; tests pass a fixture that wraps it). */
  entry?: string
  /** Wait before starting a crashed worker again. */
  restartDelayMs?: number
}

/**
 * Where the worker's code is: next to this file when run from source; in a compiled binary
 * (`bun build --compile src/main.ts … src/jobs/worker.ts`) the bundled entrypoint, addressed
 * relative to the entrypoints' common root (`src/`).
 */
function defaultEntry(): string {
  const compiled = Bun.main.startsWith('/$bunfs/') || /^[A-Z]:[\\/]~BUN[\\/]/.test(Bun.main)
  return compiled ? './jobs/worker.ts' : new URL('./worker.ts', import.meta.url).href
}

/** Starts the jobs worker on `deps`' data dir; `nudges` is the board behind this thread's `deps.onNudge`. */
export function startJobsWorker(deps: Deps, nudges: SignalBoard<JobName>, opts: JobsWorkerOptions): JobsHost {
  let worker: Worker | undefined
  let started = false
  let stopping = false
  let stopped: (() => void) | undefined
  let restartTimer: ReturnType<typeof setTimeout> | undefined
  const post = (m: ToJobsWorker) => worker?.postMessage(m)
  const onMessage = (m: FromJobsWorker) => {
    if (m.kind === 'started') {
      started = true
      deps.log.info('jobs worker started', { tick_ms: deps.config.tickMs })
    }
    else if (m.kind === 'stopped') stopped?.()
    else {
      for (const job of m.nudged) nudges.emit(job)
      for (const pass of m.jobPasses) deps.metrics.countJobPass(pass.job, pass.failed)
      if (m.outcomes.length > 0) deps.metrics.countProviderOutcomes(m.outcomes)
    }
  }
  const spawn = () => {
    restartTimer = undefined
    const w = new Worker(opts.entry ?? defaultEntry())
    worker = w
    w.addEventListener('message', (event: MessageEvent<FromJobsWorker>) => onMessage(event.data))
    w.addEventListener('error', (event) => deps.log.error('jobs worker error', { error: (event as ErrorEvent).message }))
    w.addEventListener('close', () => {
      if (worker !== w) return
      worker = undefined
      started = false
      if (stopping) return stopped?.()
      deps.log.error('jobs worker exited unexpectedly; starting it again', { restart_in_ms: opts.restartDelayMs ?? 1000 })
      restartTimer = setTimeout(spawn, opts.restartDelayMs ?? 1000)
    })
    post({ kind: 'init', config: deps.config, paths: deps.paths, catalog: opts.catalog(), signingKey: deps.signingKey, baseUrl: deps.baseUrl?.() })
  }
  spawn()
  return {
    get isRunning() {
      return started && !stopping
    },
    nudge: (job) => post({ kind: 'nudge', job }),
    stopBatchWork: (batchId) => post({ kind: 'stop-batch', batchId }),
    catalogChanged: (catalog) => post({ kind: 'catalog', catalog }),
    async stop() {
      stopping = true
      if (restartTimer) clearTimeout(restartTimer)
      const w = worker
      if (!w) return
      await new Promise<void>((resolve) => {
        stopped = resolve
        post({ kind: 'stop' })
      })
      w.terminate()
    },
  }
}
