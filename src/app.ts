/**
 * Composition root: builds deps, the HTTP app and the scheduler for one data directory.
 * Nothing here runs at import time; `createApp` is what `main.ts` and every test call.
 */
import { mkdirSync } from 'node:fs'
import { resolve } from 'node:path'
import type { Config } from './config'
import type { Deps } from './deps'
import { openDb } from './db/client'
import { migrateDb } from './db/migrate'
import { systemClock, type Clock } from './lib/clock'
import { createLog, type Log } from './lib/log'
import { systemTransport, type SafeFetchTransport } from './lib/safe-fetch'
import { prepareDataDir } from './storage'
import { loadSigningKey } from './signing-key'
import { buildCatalog, wireCatalogToSimulator } from './features/catalog/build'
import type { Catalog } from './features/catalog/models'
import { createHttpBase } from './http/server'
import { healthRoutes } from './features/health/routes'
import { Scheduler } from './jobs/scheduler'
import { createJobs } from './jobs/registry'
import { createDispatcher, type Dispatcher } from './jobs/dispatch-items'
import { rescueLeases } from './jobs/rescue-leases'
import { createProviderJobRunner, withProviderJobs } from './jobs/provider-jobs'
import { releaseProviderJobLeases } from './jobs/provider-job-store'
import { createAdapters, type AdapterOptions } from './providers/registry'
import { sweepCreatingBatches } from './features/batches/discard'
import { releaseWebhookLeases } from './features/webhooks/index'
import { acquireInstanceLock } from './instance-lock'
import { mountRoutes } from './http/routes'
import { SIM_UPSTREAM_PREFIX } from './sim/mount'
import { createMetrics, registerStateGauges } from './features/metrics/index'

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
  runJob(name: string, now?: number): Promise<boolean>
  /** Resolves once no provider call is in flight and all outcomes are written. */
  settleDispatch(): Promise<void>
  url: string
  port: number
  scheduler: Scheduler
  /** Graceful stop: refuse new work (readyz 503), finish job passes, close the server and DB. */
  stop(): Promise<void>
}

/** Builds the app on `config.dataDir`, migrates, listens on host:port and starts the scheduler. */
export async function createApp(config: Config, opts: AppOptions = {}): Promise<RunningApp> {
  // Lock first: a second copy started by mistake must fail before it touches the data dir
  // (prepareDataDir empties tmp/, which holds the running copy's uploads in progress).
  mkdirSync(resolve(config.dataDir), { recursive: true })
  const releaseLock = acquireInstanceLock(resolve(config.dataDir))
  const paths = prepareDataDir(config.dataDir)
  const db = openDb(paths.db)
  migrateDb(db)
  let catalog: Catalog = buildCatalog(config.catalog)
  let scheduler: Scheduler | undefined
  let dispatcher: Dispatcher | undefined
  let listenUrl: string | undefined
  // Demo mode points every provider at the mounted simulator, at start and on every catalog reload.
  const wire = (next: Catalog) => (config.demo && listenUrl ? wireCatalogToSimulator(next, `${listenUrl}${SIM_UPSTREAM_PREFIX}/v1`) : next)
  const deps: Deps = {
    config,
    db,
    clock: opts.clock ?? systemClock,
    log: opts.log ?? createLog(config.logLevel),
    paths,
    catalog: () => catalog,
    replaceCatalog: (next) => (catalog = wire(next)),
    metrics: createMetrics(),
    signingKey: loadSigningKey(paths.dataDir, config.signingSecret),
    nudge: (job) => scheduler?.trigger(job),
    stopBatchWork: (batchId) => dispatcher?.abortBatch(batchId),
    webhookTransport: opts.webhookTransport ?? systemTransport,
    baseUrl: () => listenUrl,
  }
  registerStateGauges(deps)
  let draining = false
  const adapters = createAdapters(opts.adapters)
  // Batch dialects (OpenAI Batch, Anthropic Message Batches) run as provider jobs beside the request dispatcher.
  const providerJobs = createProviderJobRunner(deps, adapters)
  // While the scheduler runs, writing outcomes claims the next items in the same commit.
  dispatcher = withProviderJobs(createDispatcher(deps, adapters, { claimOnFlush: () => scheduler?.isRunning ?? false }), providerJobs)
  // This process owns the data dir (instance lock), so every lease left behind was lost in a crash.
  sweepCreatingBatches(deps)
  rescueLeases(deps, deps.clock.now(), Number.MAX_SAFE_INTEGER)
  releaseProviderJobLeases(deps, deps.clock.now())
  releaseWebhookLeases(deps)
  const jobs = createJobs(dispatcher, [providerJobs.collectJob])
  scheduler = new Scheduler(deps, jobs)
  const app = mountRoutes(createHttpBase(deps), deps)
    .use(healthRoutes(deps, { draining: () => draining, schedulerRunning: () => scheduler!.isRunning }))
  const server = app.listen({
    hostname: config.host,
    port: config.port,
    // Bun refuses bodies over 128 MiB by default; allow the largest upload plus multipart overhead
    // and enforce the real per-route limits with the JSON envelope.
    maxRequestBodySize: Math.max(config.limits.batchUploadBytes, config.limits.otherUploadBytes) + 1024 * 1024,
    // Bun's maximum; provider calls to the mounted simulator may legitimately take long.
    idleTimeout: 255,
    // Production bundling of the console page (no hot-reload client), also when run from source.
    development: false,
  } as Parameters<typeof app.listen>[0])
  const port = server.server!.port!
  const url = `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`
  listenUrl = url
  catalog = wire(catalog)
  if (opts.scheduler !== false) scheduler.start(config.tickMs)
  return {
    deps,
    url,
    port,
    scheduler,
    async runJob(name, now) {
      const job = jobs.find((j) => j.name === name)
      if (!job) throw new Error(`no job ${name}`)
      return job.run(deps, now ?? deps.clock.now())
    },
    settleDispatch: () => dispatcher!.settle(),
    async stop() {
      draining = true
      await scheduler!.stop()
      await dispatcher!.drain()
      await server.stop(true)
      db.$client.close()
      releaseLock()
    },
  }
}
