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
import type { Job } from './jobs/scheduler'
import { LOCAL_LEASE_KINDS } from './jobs/registry'
import type { JobsHost } from './jobs/jobs-host'
import { createInProcessJobs, type InProcessJobs } from './jobs/in-process'
import { startJobsWorker } from './jobs/worker-host'
import { createSignalBoard } from './lib/signal-board'
import { createAdapters, type AdapterOptions } from './providers/registry'
import { sweepCreatingBatches } from './features/batches/index'
import { rescueLapsedLeases } from './features/dispatch/index'
import { wakeLeaseWaiters, withFleetLanes } from './features/fleet/index'
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
  /** Main-thread jobs only: replaces the job list (a test makes one tick block its thread). */
  wrapJobs?: (jobs: Job[]) => Job[]
  /** Worker-thread jobs only: the worker entry module (a test fixture that wraps jobs/worker.ts). */
  jobsWorkerEntry?: string
}

export interface RunningApp {
  deps: Deps
  /** Where the scheduler and its jobs run: `main` (this thread; tests) or `worker` (the jobs worker). */
  jobsThread: 'main' | 'worker'
  /** Runs one job pass by name at `now` (tests drive jobs with a fake clock). Main-thread jobs only. */
  runJob(name: JobName, now?: number): Promise<boolean>
  /** Resolves once no provider call is in flight and all outcomes are written (with `itemIds`: once those items' calls are). Main-thread jobs only. */
  settleDispatch(itemIds?: readonly string[]): Promise<void>
  url: string
  port: number
  /** The policy (auth kind, body kind) of every registered route, as the HTTP edge enforces it. */
  routes: readonly RoutePolicy[]
  /** Scheduled backups (config `backups`); `runNow(now)` is one pass, as the timer makes. */
  backups: BackupSchedule
  /** Graceful stop: refuse new work (readyz 503), finish job passes, close the server and DB. */
  stop(): Promise<void>
}

/** Builds the app on `config.dataDir`, migrates, listens on host:port and starts the jobs (on `config.jobs.thread`). */
export async function createApp(config: Config, opts: AppOptions = {}): Promise<RunningApp> {
  // Lock first: a second copy started by mistake must fail before it touches the data dir
  // (prepareDataDir empties tmp/, which holds the running copy's uploads in progress).
  mkdirSync(resolve(config.dataDir), { recursive: true, mode: 0o700 })
  const releaseLock = acquireInstanceLock(resolve(config.dataDir))
  const paths = prepareDataDir(config.dataDir)
  const db = openDb(paths.db)
  migrateDb(db)
  restrictDatabaseFiles(paths.db) // -wal/-shm left by an older version with looser modes
  const thread = jobsThreadOf(config, opts)
  const wiring = wireApp(config, opts, db, paths)
  const { deps } = wiring
  registerStateGauges(deps)
  let draining = false
  const inProcess = thread === 'main' ? createInProcessJobs(deps, createAdapters(opts.adapters), { wrapJobs: opts.wrapJobs }) : undefined
  wiring.jobs = inProcess
  // This process owns the data dir (instance lock), so every lease its own runners left behind was
  // lost in a crash; edge nodes' leases lapse on the clock (the nodes may still be working on them).
  sweepCreatingBatches(deps)
  rescueLapsedLeases(deps, LOCAL_LEASE_KINDS, deps.clock.now(), Number.MAX_SAFE_INTEGER)
  // Edge nodes in a long poll look again whenever the runners are nudged (items routed, re-queued or
  // rescued), wherever the jobs run: the worker reports its nudges to this thread.
  deps.onNudge('dispatch-items', () => wakeLeaseWaiters(deps.db))
  const app = mountRoutes(createHttpBase(deps), deps, { draining: () => draining, schedulerRunning: () => wiring.jobs?.isRunning ?? false })
  // Bun serves through the edge: auth, limits and body caps before a body byte is read.
  const edge = createEdge(deps, app)
  const server = listen(config, edge, deps, () => {
    db.$client.close()
    releaseLock()
  })
  const port = server.port!
  const url = `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`
  wiring.listened(url)
  // The worker starts after listening: it takes the catalog with the demo wiring to this address.
  if (opts.scheduler !== false) {
    if (inProcess) inProcess.start(config.tickMs)
    else wiring.jobs = startJobsWorker(deps, wiring.nudges, { catalog: wiring.catalog, entry: opts.jobsWorkerEntry })
  }
  const backups = startBackupSchedule(deps, { timer: opts.scheduler !== false })
  return {
    deps,
    jobsThread: thread,
    url,
    port,
    routes: edge.routes.all(),
    backups,
    runJob: (name, now) => mainThreadJobs(inProcess).runJob(name, now ?? deps.clock.now()),
    settleDispatch: (itemIds) => mainThreadJobs(inProcess).work.settle(itemIds),
    async stop() {
      draining = true
      // Stops ticking, lets in-flight passes and provider calls finish and writes their outcomes (in the worker: there).
      await wiring.jobs?.stop()
      await backups.stop()
      // Elysia stops the server it is handed and runs the routes' onStop hooks (the simulator closes its database).
      app.server = server
      await app.stop(true)
      db.$client.close()
      releaseLock()
    },
  }
}

/**
 * `jobs.thread`, unless jobs are driven by hand (`scheduler: false` needs them here). What
 * cannot cross a thread — an injected clock, adapters, webhook transport — needs `main`: refused
 * rather than silently not used by the worker.
 */
function jobsThreadOf(config: Config, opts: AppOptions): 'main' | 'worker' {
  if (opts.scheduler === false || config.jobs.thread === 'main') return 'main'
  const local = (['clock', 'adapters', 'webhookTransport', 'wrapJobs'] as const).filter((k) => opts[k] !== undefined)
  if (local.length > 0) throw new Error(`jobs.thread "worker" cannot use ${local.join(', ')} (they stay on this thread); set jobs.thread "main"`)
  return 'worker'
}

function mainThreadJobs(jobs: InProcessJobs | undefined): InProcessJobs {
  if (!jobs) throw new Error('jobs run in the jobs worker (jobs.thread "worker"): runJob and settleDispatch need jobs.thread "main"')
  return jobs
}

/** Deps of the API thread, with the seams that reach the jobs wherever they run (`jobs`, set once they exist). */
interface AppWiring {
  deps: Deps
  jobs: JobsHost | undefined
  /** The board behind `deps.onNudge`; the worker host emits the worker's nudges on it. */
  nudges: ReturnType<typeof createSignalBoard<JobName>>
  /** Records the listen address and re-wires the catalog to it (demo mode). */
  listened(url: string): void
  /** The configured catalog with the demo wiring (what the jobs worker starts from). */
  catalog: () => Catalog
}

function wireApp(config: Config, opts: AppOptions, db: Deps['db'], paths: Deps['paths']): AppWiring {
  let catalog: Catalog = buildCatalog(config.catalog)
  let listenUrl: string | undefined
  // Demo mode points every provider at the mounted simulator, at start and on every catalog reload.
  const wire = (next: Catalog) => (config.demo && listenUrl ? wireCatalogToSimulator(next, `${listenUrl}${SIM_UPSTREAM_PREFIX}/v1`) : next)
  const log = opts.log ?? createLog(config.logLevel)
  const nudges = createSignalBoard<JobName>((err) => log.error('nudge listener failed', { error: err instanceof Error ? err.message : String(err) }))
  const wiring: AppWiring = {
    jobs: undefined,
    nudges,
    catalog: () => catalog,
    listened(url) {
      listenUrl = url
      catalog = wire(catalog)
    },
    deps: {
      config,
      db,
      clock: opts.clock ?? systemClock,
      log,
      paths,
      // Online edge nodes' offerings join the configured catalog as edge lanes (rebuilt only when the fleet changes).
      catalog: () => withFleetLanes(wiring.deps, catalog),
      replaceCatalog: (next) => {
        catalog = wire(next)
        wiring.jobs?.catalogChanged(catalog)
        return catalog
      },
      metrics: createMetrics(),
      signingKey: loadSigningKey(paths.dataDir, config.signingSecret),
      nudge: (job) => {
        wiring.jobs?.nudge(job)
        nudges.emit(job)
      },
      onNudge: (job, fn) => nudges.on(job, fn),
      stopBatchWork: (batchId) => wiring.jobs?.stopBatchWork(batchId),
      webhookTransport: opts.webhookTransport ?? systemTransport,
      baseUrl: () => listenUrl,
    },
  }
  return wiring
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
