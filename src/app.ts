/**
 * Composition root: builds deps, the HTTP app and the scheduler for one data directory.
 * Nothing here runs at import time; `createApp` is what `main.ts` and every test call.
 */
import { mkdirSync } from 'node:fs'
import { resolve } from 'node:path'
import type { Config } from './config'
import type { Deps, JobName } from './deps'
import { openDb } from './db/client'
import { migrateDb } from './db/migrate'
import { systemClock, type Clock } from './lib/clock'
import { createLog, type Log } from './lib/log'
import { systemTransport, type SafeFetchTransport } from './lib/safe-fetch'
import { prepareDataDir, restrictDatabaseFiles } from './storage'
import { loadSigningKey } from './signing-key'
import { buildCatalog, wireCatalogToSimulator } from './features/catalog/index'
import type { Catalog } from './catalog-schema'
import { createHttpBase } from './http/server'
import { Scheduler } from './jobs/scheduler'
import { createWork, LOCAL_LEASE_KINDS, type Work } from './jobs/registry'
import { createAdapters, type AdapterOptions } from './providers/registry'
import { sweepCreatingBatches } from './features/batches/index'
import { rescueLapsedLeases } from './features/dispatch/index'
import { withFleetLanes } from './features/fleet/index'
import { acquireInstanceLock, listenError } from './instance-lock'
import { mountRoutes } from './http/routes'
import { createEdge, edgeFailure } from './http/edge'
import { consoleStaticRoutes } from './http/console'
import type { RoutePolicy } from './http/route-policy'
import { SIM_UPSTREAM_PREFIX } from './sim/mount'
import { createMetrics, registerStateGauges } from './features/metrics/index'
import { startBackupSchedule, type BackupSchedule } from './backup-schedule'

export interface AppOptions {
  clock?: Clock
  log?: Log
  /** Start the scheduler (default true); tests that drive jobs by hand pass false. */
  scheduler?: boolean
  /** Resolver + fetch for webhook delivery; tests pass a stub resolver. Default: the system's. */
  webhookTransport?: SafeFetchTransport
  /** Provider adapter settings (timeouts; tests lower the batch dialects' limits). */
  adapters?: AdapterOptions
}

export interface RunningApp {
  deps: Deps
  /** Runs one job pass by name at `now` (tests drive jobs with a fake clock). */
  runJob(name: JobName, now?: number): Promise<boolean>
  /** Resolves once no provider call is in flight and all outcomes are written (with `itemIds`: once those items' calls are). */
  settleDispatch(itemIds?: readonly string[]): Promise<void>
  url: string
  port: number
  /** The policy (auth kind, body kind) of every registered route, as the HTTP edge enforces it. */
  routes: readonly RoutePolicy[]
  scheduler: Scheduler
  /** Scheduled backups (config `backups`); `runNow(now)` is one pass, as the timer makes. */
  backups: BackupSchedule
  /** Graceful stop: refuse new work (readyz 503), finish job passes, close the server and DB. */
  stop(): Promise<void>
}

/** Builds the app on `config.dataDir`, migrates, listens on host:port and starts the scheduler. */
export async function createApp(config: Config, opts: AppOptions = {}): Promise<RunningApp> {
  // Lock first: a second copy started by mistake must fail before it touches the data dir
  // (prepareDataDir empties tmp/, which holds the running copy's uploads in progress).
  mkdirSync(resolve(config.dataDir), { recursive: true, mode: 0o700 })
  const releaseLock = acquireInstanceLock(resolve(config.dataDir))
  const paths = prepareDataDir(config.dataDir)
  const db = openDb(paths.db)
  migrateDb(db)
  restrictDatabaseFiles(paths.db) // -wal/-shm left by an older version with looser modes
  let catalog: Catalog = buildCatalog(config.catalog)
  let scheduler: Scheduler | undefined
  let work: Work | undefined
  let listenUrl: string | undefined
  // Demo mode points every provider at the mounted simulator, at start and on every catalog reload.
  const wire = (next: Catalog) => (config.demo && listenUrl ? wireCatalogToSimulator(next, `${listenUrl}${SIM_UPSTREAM_PREFIX}/v1`) : next)
  const deps: Deps = {
    config,
    db,
    clock: opts.clock ?? systemClock,
    log: opts.log ?? createLog(config.logLevel),
    paths,
    // Online edge nodes' offerings join the configured catalog as edge lanes (rebuilt only when the fleet changes).
    catalog: () => withFleetLanes(deps, catalog),
    replaceCatalog: (next) => (catalog = wire(next)),
    metrics: createMetrics(),
    signingKey: loadSigningKey(paths.dataDir, config.signingSecret),
    nudge: (job) => scheduler?.trigger(job),
    stopBatchWork: (batchId) => work?.abortBatch(batchId),
    webhookTransport: opts.webhookTransport ?? systemTransport,
    baseUrl: () => listenUrl,
  }
  registerStateGauges(deps)
  let draining = false
  // The runners and every job; while the scheduler runs, writing outcomes claims the next items in the same commit.
  work = createWork(deps, createAdapters(opts.adapters), { claimAhead: () => scheduler?.isRunning ?? false })
  // This process owns the data dir (instance lock), so every lease its own runners left behind was
  // lost in a crash; edge nodes' leases lapse on the clock (the nodes may still be working on them).
  sweepCreatingBatches(deps)
  rescueLapsedLeases(deps, LOCAL_LEASE_KINDS, deps.clock.now(), Number.MAX_SAFE_INTEGER)
  scheduler = new Scheduler(deps, work.jobs)
  const app = mountRoutes(createHttpBase(deps), deps, { draining: () => draining, schedulerRunning: () => scheduler!.isRunning })
  // Bun serves through the edge: auth, limits and body caps before a body byte is read.
  const edge = createEdge(deps, app)
  const server = listen(config, edge, deps, () => {
    db.$client.close()
    releaseLock()
  })
  const port = server.port!
  const url = `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`
  listenUrl = url
  catalog = wire(catalog)
  if (opts.scheduler !== false) scheduler.start(config.tickMs)
  const backups = startBackupSchedule(deps, { timer: opts.scheduler !== false })
  return {
    deps,
    url,
    port,
    routes: edge.routes.all(),
    scheduler,
    backups,
    async runJob(name, now) {
      const job = work!.jobs.find((j) => j.name === name)
      if (!job) throw new Error(`no job ${name}`)
      return job.run(deps, now ?? deps.clock.now())
    },
    settleDispatch: (itemIds) => work!.settle(itemIds),
    async stop() {
      draining = true
      await scheduler!.stop()
      await backups.stop()
      await work!.drain()
      // Elysia stops the server it is handed and runs the routes' onStop hooks (the simulator closes its database).
      app.server = server
      await app.stop(true)
      db.$client.close()
      releaseLock()
    },
  }
}

/** Listens on host:port through the edge; when that fails (a port in use), calls `release` and throws a message saying what to do. */
function listen(config: Config, edge: ReturnType<typeof createEdge>, deps: Deps, release: () => void) {
  try {
    return serve(config, edge, deps)
  } catch (err) {
    release()
    throw listenError(err, config.host, config.port)
  }
}

function serve(config: Config, edge: ReturnType<typeof createEdge>, deps: Deps) {
  return Bun.serve({
    hostname: config.host,
    port: config.port,
    development: false,
    // Bun otherwise shares the port with a second copy started by mistake (issue 15 item 7).
    reusePort: false,
    // Bun's own body cap is lifted so that every 413 is the JSON envelope; each route kind caps its body.
    maxRequestBodySize: Number.MAX_SAFE_INTEGER,
    // Bun's maximum; provider calls to the mounted simulator may legitimately take long.
    idleTimeout: 255,
    // The console page and its assets; everything else goes through the edge.
    routes: consoleStaticRoutes(),
    fetch: edge.fetch,
    error: (err) => edgeFailure(deps, err),
  })
}
