/**
 * The data directory layout: router.db, files/, artifacts/, tmp/ (emptied on start). The database
 * holds webhook secrets and key hashes, the folders customers' files: the directories are 0700
 * and router.db 0600 (SQLite gives its -wal and -shm files the database's mode), also when an
 * older version left them readable.
 */
import { chmodSync, closeSync, existsSync, mkdirSync, openSync, rmSync } from 'node:fs'
import { join, resolve } from 'node:path'
import type { Paths } from './deps'

const PRIVATE_DIR = 0o700
const PRIVATE_FILE = 0o600

/** Where everything of `dataDir` lives; touches nothing. */
export function dataDirPaths(dataDir: string): Paths {
  const root = resolve(dataDir)
  return {
    dataDir: root,
    db: join(root, 'router.db'),
    files: join(root, 'files'),
    artifacts: join(root, 'artifacts'),
    tmp: join(root, 'tmp'),
  }
}

/** Creates the layout (owner-only modes) and empties tmp/ (left-overs of a crash). Only the lock holder may call it. */
export function prepareDataDir(dataDir: string): Paths {
  const paths = dataDirPaths(dataDir)
  rmSync(paths.tmp, { recursive: true, force: true })
  return ensureDataDir(dataDir)
}

/** Creates the layout (owner-only modes) without emptying tmp/: also for commands that run beside a serving router. */
export function ensureDataDir(dataDir: string): Paths {
  const paths = dataDirPaths(dataDir)
  if (!existsSync(paths.dataDir)) mkdirSync(paths.dataDir, { recursive: true, mode: PRIVATE_DIR })
  for (const dir of [paths.files, paths.artifacts, paths.tmp]) {
    mkdirSync(dir, { recursive: true, mode: PRIVATE_DIR })
    chmodSync(dir, PRIVATE_DIR)
  }
  // Created before SQLite opens it, so the file never exists with the umask's mode.
  closeSync(openSync(paths.db, 'a', PRIVATE_FILE))
  restrictDatabaseFiles(paths.db)
  return paths
}

/** Sets router.db and its -wal/-shm (when present) to 0600. */
export function restrictDatabaseFiles(dbPath: string): void {
  for (const path of [dbPath, `${dbPath}-wal`, `${dbPath}-shm`]) if (existsSync(path)) chmodSync(path, PRIVATE_FILE)
}
