/**
 * What services and jobs receive as their first argument. Built once per app in `app.ts`; tests
 * build their own per temp data dir. No module-level singletons.
 */
import type { Config } from './config'
import type { Db } from './db/client'
import type { Clock } from './lib/clock'
import type { Log } from './lib/log'
import type { SafeFetchTransport } from './lib/safe-fetch'
import type { Registry } from 'prom-client'
import type { Catalog } from './catalog-schema'

/**
 * Every scheduler job, by stable id (jobs/registry.ts maps each to its tick). Here, below the
 * features, so a service that gives a job work can name it in `deps.nudge`.
 */
export const JOB_NAMES = [
  'route-batches', // pending/queued batches → lanes (features/routing)
  'dispatch-items', // queued items → the request runner; due lanes of batch dialects → provider jobs
  'collect-results', // polls provider jobs and records their results (features/dispatch)
  'finalize-batches', // finished batches → artifacts, settlement, terminal status and event
  'expire-batches', // batches past their SLA deadline stop their work
  'rescue-leases', // leases that lapsed (a crash, a hung call) give their rows back
  'deliver-webhooks', // due outbox events are POSTed
  'fleet-nodes', // edge nodes silent for 3 heartbeat intervals go offline and hand their leases back (features/fleet)
] as const
export type JobName = (typeof JOB_NAMES)[number]

/** What the metrics need of a recorded outcome (the outcome path's Outcome, structurally). */
export interface OutcomeLike {
  provider: string
  outcome: { ok: true } | { ok: false; error: { kind: string } } | { ok: false; stoppedAs: string }
}

/** This app's Prometheus instruments (features/metrics builds them; never a process-wide singleton). */
export interface Metrics {
  /** This app's registry: `/metrics` renders it; collectors register on it. */
  registry: Registry
  /** One finished HTTP request; `route` is the route template (`/v1/batches/:id`), never the raw path. */
  observeRequest(method: string, route: string | undefined, status: number, seconds: number): void
  /** One scheduler pass of `job`; `failed` when it threw. */
  countJobPass(job: JobName, failed: boolean): void
  /** Outcomes just recorded by a runner, counted by provider and kind (`ok`, an error kind, `cancelled`/`expired`). */
  countProviderOutcomes(outcomes: readonly OutcomeLike[]): void
}

export interface Paths {
  dataDir: string
  db: string
  files: string
  artifacts: string
  tmp: string
}

export interface Deps {
  config: Config
  db: Db
  clock: Clock
  log: Log
  paths: Paths
  /** The effective catalog (defaults + config overrides + demo wiring); replaced on reload. */
  catalog: () => Catalog
  /** Makes `next` the effective catalog (demo wiring re-applied) and returns what is now effective. */
  replaceCatalog: (next: Catalog) => Catalog
  /** This app's Prometheus registry and counters (never a process-wide singleton). */
  metrics: Metrics
  /** HMAC key for jose tokens (artifact URLs, fleet tokens). */
  signingKey: Uint8Array
  /**
   * Wakes a scheduler job early (after a write that gives it work), on whichever thread the jobs
   * run (config `jobs.thread`), and announces it to `onNudge` listeners. No-op outside `serve`.
   */
  nudge: (job: JobName) => void
  /**
   * Calls `fn` whenever `job` is nudged — by this thread or, in worker mode, by the jobs worker
   * (announced back by message) — until the returned unsubscribe is called. Same in both modes.
   */
  onNudge: (job: JobName, fn: () => void) => () => void
  /** Aborts in-flight provider calls of a batch being cancelled or expired (a message to the jobs worker in worker mode). No-op outside `serve`. */
  stopBatchWork: (batchId: string) => void
  /** Resolver + fetch for webhook delivery (lib/safe-fetch); tests stub DNS here. Default: the system's. */
  webhookTransport?: SafeFetchTransport
  /** The listen address once known (`http://host:port`), for links in webhook bodies when `publicUrl` is unset. */
  baseUrl?: () => string | undefined
}
