/** Opens the data dir's database (migrated) for one-shot CLI commands. */
import type { Config } from '../config'
import type { Deps } from '../deps'
import { openDb } from '../db/client'
import { migrateDb } from '../db/migrate'
import { systemClock } from '../lib/clock'
import { createLog } from '../lib/log'
import { systemTransport } from '../lib/safe-fetch'
import { ensureDataDir } from '../storage'
import { loadSigningKey } from '../signing-key'
import { buildCatalog } from '../features/catalog/index'
import { createMetrics } from '../features/metrics/index'

/**
 * Deps without an HTTP server or scheduler, safe beside a running router (SQLite WAL; tmp/ and its
 * uploads in progress are left alone). `migrate` false leaves the schema untouched.
 */
export function openStore(config: Config, opts: { migrate?: boolean } = {}): Deps {
  const paths = ensureDataDir(config.dataDir)
  const db = openDb(paths.db)
  if (opts.migrate !== false) migrateDb(db)
  let catalog = buildCatalog(config.catalog)
  return { config, db, clock: systemClock, log: createLog('warn', (line) => process.stderr.write(line)), paths, catalog: () => catalog, replaceCatalog: (next) => (catalog = next), metrics: createMetrics(), signingKey: loadSigningKey(paths.dataDir, config.signingSecret), nudge: () => {}, onNudge: () => () => {}, stopBatchWork: () => {}, webhookTransport: systemTransport }
}
