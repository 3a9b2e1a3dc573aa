/**
 * An online, consistent backup of a data dir while the router serves: a `VACUUM INTO` snapshot of
 * router.db, the bytes of every file the snapshot knows, the artifacts, the signing key — each
 * with its SHA-256 in the manifest, written last. Built in `<dest>.partial`, renamed when whole.
 */
import { Database } from 'bun:sqlite'
import { chmod, copyFile, mkdir, readdir, rename, rm, stat } from 'node:fs/promises'
import { existsSync, readdirSync, rmdirSync } from 'node:fs'
import { dirname, join, relative } from 'node:path'
import type { Deps } from '../../deps'
import { toIso } from '../../lib/clock'
import { migrationStatus } from '../../db/migrate'
import { VERSION } from '../../version'
import { BACKUP_FORMAT, MANIFEST_FILE, hashFile, type BackupEntry, type BackupManifest } from './manifest'

/** Secrets and state beside the database that a restored router needs (copied when present, mode 0600). */
const SIDE_FILES = ['signing.key', 'demo-account.json']

/** What a backup wrote. */
export interface BackupResult {
  dir: string
  manifest: BackupManifest
  bytes: number
}

/** Writes a backup of `deps`' data dir to `dest` (absent or empty); throws when `dest` holds anything. */
export async function createBackup(deps: Deps, dest: string): Promise<BackupResult> {
  if (existsSync(dest) && readdirSync(dest).length > 0) throw new Error(`${dest} is not empty; back up into a new or empty directory`)
  const work = `${dest}.partial`
  await rm(work, { recursive: true, force: true })
  await mkdir(work, { recursive: true })
  try {
    const createdAt = deps.clock.now()
    deps.db.$client.exec(`VACUUM INTO '${join(work, 'router.db').replaceAll("'", "''")}'`)
    const entries: BackupEntry[] = []
    for (const path of await copyLiveFiles(deps, work)) entries.push(await entryFor(work, path))
    for (const path of await listTree(deps.paths.artifacts)) entries.push(await copyEntry(deps.paths.dataDir, work, relative(deps.paths.dataDir, path)))
    for (const name of SIDE_FILES) {
      if (!existsSync(join(deps.paths.dataDir, name))) continue
      entries.push(await copyEntry(deps.paths.dataDir, work, name))
      await chmod(join(work, name), 0o600)
    }
    entries.unshift(await entryFor(work, 'router.db'))
    const manifest: BackupManifest = { format: BACKUP_FORMAT, version: 1, created_at: toIso(createdAt), batchrouter_version: VERSION, migrations: appliedMigrations(join(work, 'router.db')), entries }
    await Bun.write(join(work, MANIFEST_FILE), JSON.stringify(manifest, null, 2) + '\n')
    if (existsSync(dest)) rmdirSync(dest)
    await rename(work, dest)
    return { dir: dest, manifest, bytes: entries.reduce((sum, e) => sum + e.bytes, 0) }
  } catch (err) {
    await rm(work, { recursive: true, force: true })
    throw err
  }
}

/**
 * Copies the bytes of every live file row of the snapshot. A file deleted between the snapshot and
 * the copy is marked deleted in the snapshot too, so the backup never has a row without its bytes.
 */
async function copyLiveFiles(deps: Deps, work: string): Promise<string[]> {
  const snapshot = new Database(join(work, 'router.db'))
  try {
    const rows = snapshot.query('SELECT id, path FROM files WHERE deleted_at IS NULL').all() as { id: string; path: string }[]
    const copied: string[] = []
    for (const row of rows) {
      const from = join(deps.paths.dataDir, row.path)
      if (!existsSync(from)) {
        snapshot.query('UPDATE files SET deleted_at = ? WHERE id = ?').run(deps.clock.now(), row.id)
        continue
      }
      await mkdir(dirname(join(work, row.path)), { recursive: true })
      await copyFile(from, join(work, row.path))
      copied.push(row.path)
    }
    return copied
  } finally {
    snapshot.close()
  }
}

async function copyEntry(fromRoot: string, work: string, path: string): Promise<BackupEntry> {
  await mkdir(dirname(join(work, path)), { recursive: true })
  await copyFile(join(fromRoot, path), join(work, path))
  return entryFor(work, path)
}

async function entryFor(work: string, path: string): Promise<BackupEntry> {
  return { path, ...(await hashFile(join(work, path))) }
}

/** Every regular file under `dir` (absent: none). */
async function listTree(dir: string): Promise<string[]> {
  if (!existsSync(dir)) return []
  const out: string[] = []
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name)
    if (entry.isDirectory()) out.push(...(await listTree(path)))
    else if (entry.isFile() && (await stat(path)).isFile()) out.push(path)
  }
  return out
}

function appliedMigrations(dbPath: string): string[] {
  const db = new Database(dbPath, { readonly: true })
  try {
    return migrationStatus({ $client: db } as Parameters<typeof migrationStatus>[0]).filter((m) => m.applied).map((m) => m.tag)
  } finally {
    db.close()
  }
}
