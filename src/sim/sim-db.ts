/**
 * The simulator's own SQLite database: files, batches and their lines, counters. Given a
 * directory it lives in `<dir>/sim.db` (WAL, synchronous=FULL), so a provider batch outlives a
 * `kill -9` the way a real provider's does; without one it is in memory (tests, `batchrouter sim`).
 * It never shares the router's database.
 */
import { Database } from 'bun:sqlite'
import { mkdirSync } from 'node:fs'
import { join, resolve } from 'node:path'

/** The database file inside the simulator's directory. */
export const SIM_DB_FILE = 'sim.db'

/** An open simulator database and the directory large file bytes go to (null in memory). */
export interface SimDb {
  db: Database
  dir: string | null
}

/** Thrown when another simulator process already holds the directory. */
export class SimDirLockedError extends Error {}

/** Layout of the tables below; a directory written with another layout is refused, not misread. */
const SCHEMA_VERSION = 1

const SCHEMA = `
CREATE TABLE IF NOT EXISTS sim_files (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  id TEXT NOT NULL UNIQUE,
  filename TEXT NOT NULL,
  purpose TEXT NOT NULL,
  created_at REAL NOT NULL,
  bytes INTEGER NOT NULL,
  content BLOB,
  path TEXT
);
CREATE TABLE IF NOT EXISTS sim_batches (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  id TEXT NOT NULL UNIQUE,
  dialect TEXT NOT NULL,
  model TEXT,
  created_at REAL NOT NULL,
  turnaround_ms REAL NOT NULL,
  line_count INTEGER NOT NULL,
  cancel_requested_at REAL,
  ended_at REAL,
  end_state TEXT,
  errors TEXT NOT NULL,
  openai TEXT,
  faults TEXT NOT NULL,
  polls INTEGER NOT NULL DEFAULT 0,
  ok_count INTEGER NOT NULL DEFAULT 0,
  failed_count INTEGER NOT NULL DEFAULT 0,
  expired_count INTEGER NOT NULL DEFAULT 0,
  cancelled_count INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS sim_lines (
  batch_id TEXT NOT NULL,
  idx INTEGER NOT NULL,
  custom_id TEXT NOT NULL,
  body TEXT NOT NULL,
  finish_at REAL,
  outcome TEXT,
  result TEXT
);
CREATE UNIQUE INDEX IF NOT EXISTS sim_lines_by_batch ON sim_lines (batch_id, idx);
CREATE INDEX IF NOT EXISTS sim_lines_unrun ON sim_lines (batch_id, finish_at, idx) WHERE outcome IS NULL;
CREATE TABLE IF NOT EXISTS sim_counters (
  name TEXT PRIMARY KEY,
  value INTEGER NOT NULL
);
`

/**
 * Opens (creating) the database in `dir`, or in memory when `dir` is absent. The connection
 * holds an exclusive lock for its lifetime — the kernel drops it when the process dies, so a
 * `kill -9` never leaves a stale lock — and a second simulator on the same directory fails with
 * SimDirLockedError instead of serving a diverging copy.
 */
export function openSimDb(dir?: string): SimDb {
  if (!dir) {
    const db = new Database(':memory:')
    db.exec(SCHEMA)
    return { db, dir: null }
  }
  const root = resolve(dir)
  mkdirSync(root, { recursive: true, mode: 0o700 })
  const db = new Database(join(root, SIM_DB_FILE), { create: true })
  try {
    db.exec('PRAGMA busy_timeout = 0')
    db.exec('PRAGMA locking_mode = EXCLUSIVE')
    db.exec('PRAGMA journal_mode = WAL')
    db.exec('PRAGMA synchronous = FULL')
    // Takes the exclusive lock now, not at the first write.
    db.exec('BEGIN EXCLUSIVE; COMMIT')
    const version = db.query<{ user_version: number }, []>('PRAGMA user_version').get()!.user_version
    if (version !== 0 && version !== SCHEMA_VERSION) throw new Error(`simulator data dir ${root} holds schema ${version}, this simulator writes ${SCHEMA_VERSION}; remove the directory or use another one`)
    db.exec(SCHEMA)
    db.exec(`PRAGMA user_version = ${SCHEMA_VERSION}`)
  } catch (err) {
    db.close()
    if (/locked|busy/i.test(String(err))) throw new SimDirLockedError(`simulator data dir ${root} is in use by another simulator process; stop it or use another --data-dir`)
    throw err
  }
  return { db, dir: root }
}

/** Reads a counter (0 when never written). */
export function readCounter(sim: SimDb, name: string): number {
  const row = sim.db.query<{ value: number }, [string]>('SELECT value FROM sim_counters WHERE name = ?').get(name)
  return row?.value ?? 0
}

/** Writes a counter (durably, before returning). */
export function writeCounter(sim: SimDb, name: string, value: number): void {
  sim.db.query('INSERT INTO sim_counters (name, value) VALUES (?, ?) ON CONFLICT(name) DO UPDATE SET value = excluded.value').run(name, value)
}
