/**
 * Applies drizzle-kit's migrations from the copies embedded in the binary (embedded-migrations.ts),
 * so a compiled binary in an empty directory migrates its own database.
 */
import type { MigrationMeta } from 'drizzle-orm/migrator'
import { sha256Hex } from '../lib/crypto'
import type { Db } from './client'
import { EMBEDDED_MIGRATIONS } from './embedded-migrations'

function toMeta(): MigrationMeta[] {
  return EMBEDDED_MIGRATIONS.map((m) => ({
    sql: m.sql.split('--> statement-breakpoint'),
    bps: m.breakpoints,
    folderMillis: m.when,
    hash: sha256Hex(m.sql),
  }))
}

/** Brings the database to the newest embedded migration. Idempotent. */
export function migrateDb(db: Db): void {
  // drizzle's SQLite dialect runs the pending migrations in one transaction and records them.
  ;(db as unknown as { dialect: { migrate(m: MigrationMeta[], s: unknown, c: object): void }; session: unknown }).dialect.migrate(toMeta(), (db as unknown as { session: unknown }).session, { migrationsFolder: '' })
}

/** Names of embedded migrations and whether each is applied; for `batchrouter migrate status`. */
export function migrationStatus(db: Db): { tag: string; applied: boolean }[] {
  const hasTable = db.$client.query("SELECT name FROM sqlite_master WHERE type='table' AND name='__drizzle_migrations'").get()
  const applied = new Set<number>()
  if (hasTable) {
    for (const row of db.$client.query('SELECT created_at FROM __drizzle_migrations').all() as { created_at: number }[]) applied.add(Number(row.created_at))
  }
  return EMBEDDED_MIGRATIONS.map((m) => ({ tag: m.tag, applied: applied.has(m.when) }))
}

/** True when every embedded migration is applied (readiness). */
export function isMigrated(db: Db): boolean {
  return migrationStatus(db).every((m) => m.applied)
}
