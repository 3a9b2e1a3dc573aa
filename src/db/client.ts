/**
 * Opens the SQLite database with the PRAGMAs money needs: WAL, FULL sync, busy timeout, foreign
 * keys, 16 KB pages (set before the first table exists). Nothing opens at import time.
 */
import { Database } from 'bun:sqlite'
import { drizzle, type BunSQLiteDatabase } from 'drizzle-orm/bun-sqlite'

/** The drizzle handle: the query builder over the tables each feature declares in its table.ts. */
export type Db = BunSQLiteDatabase & { $client: Database }

/** Opens (creating if needed) the database file at `path` and returns the drizzle handle. */
export function openDb(path: string): Db {
  const sqlite = new Database(path, { create: true, strict: true })
  sqlite.exec('PRAGMA page_size = 16384')
  sqlite.exec('PRAGMA journal_mode = WAL')
  sqlite.exec('PRAGMA synchronous = FULL')
  sqlite.exec('PRAGMA busy_timeout = 5000')
  sqlite.exec('PRAGMA foreign_keys = ON')
  return drizzle({ client: sqlite }) as Db
}
