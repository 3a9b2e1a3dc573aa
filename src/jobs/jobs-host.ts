/**
 * What the composition root drives, wherever the scheduler and its jobs run (config
 * `jobs.thread`): in this thread (in-process.ts, the mode tests use to drive jobs with a fake
 * clock) or in the jobs worker (worker-host.ts, the default of `serve`).
 */
import type { Catalog } from '../catalog-schema'
import type { JobName } from '../deps'

export interface JobsHost {
  /** True while the scheduler ticks (readyz reports it). */
  readonly isRunning: boolean
  /** Runs `job` soon where the jobs run. Announcing it to `deps.onNudge` listeners is app.ts's part. */
  nudge(job: JobName): void
  /** Aborts the in-flight provider work of a cancelled or expired batch. */
  stopBatchWork(batchId: string): void
  /** The effective catalog changed on this thread (an admin reload); the jobs use `catalog` from now on. */
  catalogChanged(catalog: Catalog): void
  /** Stops ticking, lets in-flight job passes and provider calls finish and their outcomes be written. */
  stop(): Promise<void>
}
