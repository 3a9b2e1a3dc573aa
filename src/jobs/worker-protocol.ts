/**
 * The messages between the API thread and the jobs worker (plain data: structured clones).
 * Job work happens only in the worker; the API thread sends what its requests give the jobs
 * (nudges, stopped batches, a reloaded catalog) and receives what it must show or wake on
 * (nudges made in the worker, job and outcome counts for /metrics).
 */
import type { Catalog } from '../catalog-schema'
import type { Config } from '../config'
import type { JobName, OutcomeLike, Paths } from '../deps'

/** Everything the worker needs to build its own deps; the rest (clock, log, transport, adapters) it makes from `config`. */
export interface JobsWorkerInit {
  kind: 'init'
  config: Config
  paths: Paths
  /** The effective catalog (demo wiring applied by the API thread). */
  catalog: Catalog
  signingKey: Uint8Array
  /** The listen address, for links in webhook bodies. */
  baseUrl: string | undefined
}

/** API thread → worker. */
export type ToJobsWorker =
  | JobsWorkerInit
  | { kind: 'nudge'; job: JobName }
  | { kind: 'stop-batch'; batchId: string }
  | { kind: 'catalog'; catalog: Catalog }
  /** Graceful stop: stop ticking, drain in-flight calls, close the database, then answer `stopped`. */
  | { kind: 'stop' }

/** What the worker counted and nudged since its last report (sent once per turn of its event loop, when non-empty). */
export interface JobsWorkerReport {
  kind: 'report'
  nudged: JobName[]
  jobPasses: Array<{ job: JobName; failed: boolean }>
  outcomes: OutcomeLike[]
}

/** Worker → API thread. */
export type FromJobsWorker = { kind: 'started' } | JobsWorkerReport | { kind: 'stopped' }
