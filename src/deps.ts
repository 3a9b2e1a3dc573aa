/**
 * What services and jobs receive as their first argument. Built once per app in `app.ts`; tests
 * build their own per temp data dir. No module-level singletons.
 */
import type { Config } from './config'
import type { Db } from './db/client'
import type { Clock } from './lib/clock'
import type { Log } from './lib/log'
import type { SafeFetchTransport } from './lib/safe-fetch'
import type { Catalog } from './features/catalog/models'
import type { Metrics } from './features/metrics/index'

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
  /** Wakes a scheduler job early (after a write that gives it work). No-op outside `serve`. */
  nudge: (job: string) => void
  /** Aborts in-flight provider calls of a batch being cancelled or expired. No-op outside `serve`. */
  stopBatchWork: (batchId: string) => void
  /** Resolver + fetch for webhook delivery (lib/safe-fetch); tests stub DNS here. Default: the system's. */
  webhookTransport?: SafeFetchTransport
  /** The listen address once known (`http://host:port`), for links in webhook bodies when `publicUrl` is unset. */
  baseUrl?: () => string | undefined
}
