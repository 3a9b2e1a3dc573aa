/**
 * A real server per test: its own temp data dir, port 0, quiet logs. Tests talk HTTP to `url`.
 * `scheduler: false` leaves jobs to be driven by hand with a fake clock.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createApp, type AppOptions, type RunningApp } from '../../src/app'
import { loadConfig, validateConfig, type Config } from '../../src/config'
import { createLog, type Log } from '../../src/lib/log'
import type { Clock } from '../../src/lib/clock'
import type { SafeFetchTransport } from '../../src/lib/safe-fetch'
import { createOrg } from '../../src/features/accounts/orgs'
import { grantCredits } from '../../src/features/credits/ledger'
import { insertApiKey } from '../../src/features/api-keys/store'
import { parseMicros } from '../../src/lib/money'
import { randomBase62 } from '../../src/lib/ids'

export interface TestApp extends RunningApp {
  dataDir: string
  /** fetch against the app: `app.request('/v1/…', init)`. */
  request(path: string, init?: RequestInit): Promise<Response>
  /** A new org with a customer key and optional credit in USD. */
  newOrg(credit?: string): { orgId: string; key: string; keyId: string; auth: Record<string, string> }
  /** A new admin key. */
  adminKey(): string
  close(): Promise<void>
}

export interface TestAppOptions {
  config?: Record<string, unknown>
  /** A config file read as `--config` would (its settings under `config`'s); sets `configPath` for catalog reloads. */
  configFile?: string
  clock?: Clock
  scheduler?: boolean
  /** Resolver + fetch for webhook delivery (stub DNS in SSRF tests). */
  webhookTransport?: SafeFetchTransport
  /** Provider adapter settings (e.g. lower batch limits to show a split). */
  adapters?: AppOptions['adapters']
  dataDir?: string
  /** The app's logger (default: silent unless BR_TEST_LOG names a level). */
  log?: Log
  /** Main-thread jobs: replaces the job list (AppOptions.wrapJobs). */
  wrapJobs?: AppOptions['wrapJobs']
  /** Worker-thread jobs: the worker entry module (AppOptions.jobsWorkerEntry). */
  jobsWorkerEntry?: string
}

export async function startTestApp(opts: TestAppOptions = {}): Promise<TestApp> {
  const dataDir = opts.dataDir ?? mkdtempSync(join(tmpdir(), 'br-test-'))
  const fromFile = opts.configFile ? structuredClone(loadConfig({ config: opts.configFile }, {})) : {}
  // Tests sign up through agent-register; registration is closed by default outside demo mode.
  // Jobs on this thread, so a fake clock, stub adapters and runJob reach them (worker mode: opts.config.jobs).
  const config: Config = validateConfig({ jobs: { thread: 'main' }, registration: 'open', ...fromFile, port: 0, dataDir, logLevel: 'silent', signingSecret: 'test-signing-secret-0123456789abcdef', ...opts.config })
  const app = await createApp(config, { clock: opts.clock, log: opts.log ?? createLog((process.env.BR_TEST_LOG as 'debug') ?? 'silent'), scheduler: opts.scheduler, webhookTransport: opts.webhookTransport, adapters: opts.adapters, wrapJobs: opts.wrapJobs, jobsWorkerEntry: opts.jobsWorkerEntry })
  return {
    ...app,
    dataDir,
    request: (path, init) => fetch(app.url + path, init),
    newOrg(credit = '0') {
      const created = createOrg(app.deps, { name: 'Test org', startingCreditMicros: 0 })
      const micros = parseMicros(credit) ?? 0
      if (micros > 0) grantCredits(app.deps, { orgId: created.org.id, amount: micros, reference: `test-grant:${randomBase62(12)}` })
      return { orgId: created.org.id, key: created.apiKey, keyId: created.apiKeyId, auth: { authorization: `Bearer ${created.apiKey}` } }
    },
    adminKey() {
      return insertApiKey(app.deps, { orgId: null, kind: 'admin', name: 'test admin' }).secret
    },
    async close() {
      await app.stop()
      if (!opts.dataDir) rmSync(dataDir, { recursive: true, force: true })
    },
  }
}

/** Reads a JSON body and returns it with the status, for compact assertions. */
export async function json<T = any>(res: Response | Promise<Response>): Promise<{ status: number; body: T; headers: Headers }> {
  const r = await res
  const text = await r.text()
  let body: unknown
  try {
    body = text ? JSON.parse(text) : null
  } catch {
    body = text
  }
  return { status: r.status, body: body as T, headers: r.headers }
}
