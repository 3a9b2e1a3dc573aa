/**
 * The jobs on the API thread (config `jobs.thread: "main"`): the scheduler, the runners and
 * every job in this process's event loop, sharing its deps (a fake clock, stub adapters and
 * transports cannot cross a thread, so tests that inject them use this mode).
 */
import type { Deps, JobName } from '../deps'
import type { Adapters } from '../providers/registry'
import type { JobsHost } from './jobs-host'
import { createWork, type Work } from './registry'
import { Scheduler, type Job } from './scheduler'

/** The in-process host, plus what tests reach through it (runners, one pass by name). */
export interface InProcessJobs extends JobsHost {
  work: Work
  scheduler: Scheduler
  /** Starts ticking every `tickMs`. */
  start(tickMs: number): void
  /** Runs one pass of `name` at `now` (tests drive jobs with a fake clock). */
  runJob(name: JobName, now: number): Promise<boolean>
}

/** Builds the runners and the scheduler on `deps`; `wrapJobs` lets a test replace a job's tick (see the slow-tick test). */
export function createInProcessJobs(deps: Deps, adapters: Adapters, opts: { wrapJobs?: (jobs: Job[]) => Job[] } = {}): InProcessJobs {
  let scheduler: Scheduler | undefined
  // While the scheduler runs, writing outcomes claims the next items in the same commit.
  const work = createWork(deps, adapters, { claimAhead: () => scheduler?.isRunning ?? false })
  const jobs = opts.wrapJobs ? opts.wrapJobs(work.jobs) : work.jobs
  scheduler = new Scheduler(deps, jobs)
  const running = scheduler
  return {
    work,
    scheduler: running,
    get isRunning() {
      return running.isRunning
    },
    start: (tickMs) => running.start(tickMs),
    nudge: (job) => running.trigger(job),
    stopBatchWork: (batchId) => work.abortBatch(batchId),
    // Same deps, same catalog getter: nothing to hand over.
    catalogChanged: () => {},
    async runJob(name, now) {
      const job = jobs.find((j) => j.name === name)
      if (!job) throw new Error(`no job ${name}`)
      return job.run(deps, now)
    },
    async stop() {
      await running.stop()
      await work.drain()
    },
  }
}
