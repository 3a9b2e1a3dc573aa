/**
 * The checks of `batchrouter doctor`, each answering `{name, status, detail}`: data dir writable
 * with free disk, database integrity and migrations, clock sanity, and each configured provider's
 * credential tried with one cheap call (its models list) against its base URL.
 */
import { Database } from 'bun:sqlite'
import { existsSync, rmSync, statfsSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { Config } from '../../config'
import { migrationStatus } from '../../db/migrate'
import { buildCatalog, isProviderConfigured, providerCredential, type CatalogProvider } from '../../features/catalog/index'
import { dataDirPaths } from '../../storage'

export interface Check {
  name: string
  status: 'ok' | 'warn' | 'fail' | 'skip'
  detail: string
}

const MB = 1_000_000
const CLOCK_SLACK_MS = 5 * 60_000
const PROVIDER_TIMEOUT_MS = 10_000

/** Writable, and room for at least two of the largest uploads (and 10 % of the disk). */
export function checkDataDir(config: Config): Check {
  const { dataDir } = dataDirPaths(config.dataDir)
  if (!existsSync(dataDir)) return { name: 'data dir', status: 'warn', detail: `${dataDir} does not exist yet; batchrouter serve creates it` }
  const probe = join(dataDir, `.doctor-${process.pid}`)
  try {
    writeFileSync(probe, 'x')
    rmSync(probe)
  } catch (err) {
    return { name: 'data dir', status: 'fail', detail: `${dataDir} is not writable: ${(err as Error).message}` }
  }
  const fs = statfsSync(dataDir)
  const free = fs.bavail * fs.bsize
  const share = fs.blocks > 0 ? fs.bavail / fs.blocks : 1
  const needed = 2 * config.limits.batchUploadBytes
  const detail = `${dataDir} writable; ${Math.floor(free / MB)} MB free (${Math.round(share * 100)} %)`
  if (free < needed) return { name: 'data dir', status: 'fail', detail: `${detail}: less than two of the largest uploads (${Math.round(needed / MB)} MB)` }
  return { name: 'data dir', status: share < 0.1 ? 'warn' : 'ok', detail: share < 0.1 ? `${detail}: under 10 % of the disk` : detail }
}

/** Integrity (quick_check), WAL mode and every embedded migration applied; the database is only read. */
export function checkDatabase(config: Config): Check[] {
  const path = dataDirPaths(config.dataDir).db
  if (!existsSync(path)) return [{ name: 'database', status: 'warn', detail: `${path} does not exist yet; batchrouter serve creates it` }]
  const db = new Database(path, { readonly: true })
  try {
    const quick = (db.query('PRAGMA quick_check').get() as { quick_check: string }).quick_check
    const mode = (db.query('PRAGMA journal_mode').get() as { journal_mode: string }).journal_mode
    const pending = migrationStatus({ $client: db } as Parameters<typeof migrationStatus>[0]).filter((m) => !m.applied)
    return [
      quick === 'ok' ? { name: 'database', status: 'ok', detail: `${path}: integrity ok, journal ${mode}` } : { name: 'database', status: 'fail', detail: `${path}: integrity check failed: ${quick}; restore a backup (batchrouter restore --from DIR)` },
      pending.length === 0 ? { name: 'migrations', status: 'ok', detail: 'at head' } : { name: 'migrations', status: 'fail', detail: `${pending.length} pending (${pending.map((m) => m.tag).join(', ')}): run batchrouter migrate, or start the server` },
      clockAgainst(db),
    ]
  } finally {
    db.close()
  }
}

/** The clock must not be behind the newest time the data recorded (a clock set back breaks deadlines and leases). */
function clockAgainst(db: Database): Check {
  const now = Date.now()
  if (new Date(now).getUTCFullYear() < 2025) return { name: 'clock', status: 'fail', detail: `the system clock reads ${new Date(now).toISOString()}; set the time (NTP)` }
  const newest = (db.query('SELECT max(t) AS t FROM (SELECT max(created_at) AS t FROM batches UNION ALL SELECT max(created_at) FROM ledger_entries UNION ALL SELECT max(created_at) FROM audit_log UNION ALL SELECT max(created_at) FROM orgs)').get() as { t: number | null }).t
  if (newest !== null && newest > now + CLOCK_SLACK_MS) return { name: 'clock', status: 'fail', detail: `the system clock (${new Date(now).toISOString()}) is behind data written at ${new Date(newest).toISOString()}; fix the time (NTP) before serving` }
  return { name: 'clock', status: 'ok', detail: `${new Date(now).toISOString()}${newest ? `, newest data ${new Date(newest).toISOString()}` : ''}` }
}

/** One models-list call per configured provider; unconfigured ones are skipped with the reason. */
export async function checkProviders(config: Config, env: Record<string, string | undefined> = process.env): Promise<Check[]> {
  const catalog = buildCatalog(config.catalog)
  return Promise.all(catalog.providers.filter((p) => p.kind !== 'edge').map((p) => checkProvider(config, p, env)))
}

async function checkProvider(config: Config, provider: CatalogProvider, env: Record<string, string | undefined>): Promise<Check> {
  const name = `provider ${provider.id}`
  if (config.demo) return { name, status: 'skip', detail: 'demo mode: served by the built-in simulator' }
  if (!isProviderConfigured(provider, env)) {
    const why = !provider.base_url ? 'no base_url' : `no credential (set ${provider.api_key_env ?? 'api_key'})`
    return { name, status: 'skip', detail: `not configured: ${why}` }
  }
  const key = providerCredential(provider, env)
  const base = provider.base_url!.replace(/\/+$/, '')
  const anthropic = provider.kind === 'anthropic-batches'
  const url = anthropic ? `${base}/v1/models` : `${base}/models`
  const headers: Record<string, string> = anthropic ? { 'anthropic-version': '2023-06-01', ...(key ? { 'x-api-key': key } : {}) } : key ? { authorization: `Bearer ${key}` } : {}
  const started = performance.now()
  try {
    const res = await fetch(url, { headers, signal: AbortSignal.timeout(PROVIDER_TIMEOUT_MS), redirect: 'manual' })
    await res.body?.cancel()
    const ms = Math.round(performance.now() - started)
    if (res.ok) return { name, status: 'ok', detail: `GET ${url}: HTTP ${res.status} in ${ms} ms${key ? ', credential accepted' : ''}` }
    if (res.status === 401 || res.status === 403) return { name, status: 'fail', detail: `GET ${url}: HTTP ${res.status}: the credential was refused; check ${provider.api_key_env ?? 'api_key'}` }
    return { name, status: 'fail', detail: `GET ${url}: HTTP ${res.status}; check base_url` }
  } catch (err) {
    return { name, status: 'fail', detail: `GET ${url}: cannot reach it (${(err as Error).message})` }
  }
}
