/**
 * Replacing a data dir's contents with a verified backup. The caller holds the data dir's
 * instance lock. Every entry is checked against the manifest before anything is replaced and
 * copied into a staging dir; only then is the current state moved aside (kept under
 * `pre-restore-<time>/`) and the staged copy moved in.
 */
import { chmod, copyFile, mkdir, rename, rm } from 'node:fs/promises'
import { existsSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { hashFile, verifyBackup, type BackupManifest } from './manifest'

/** What the data dir held that a restore moves aside (the DB with its WAL, the bytes, the secrets). */
const REPLACED = ['router.db', 'router.db-wal', 'router.db-shm', 'files', 'artifacts', 'signing.key', 'demo-account.json']

/** Thrown when the backup fails verification; nothing was changed. */
export class BackupInvalidError extends Error {
  constructor(public readonly problems: string[]) {
    super(`the backup failed verification, nothing was changed:\n  ${problems.join('\n  ')}`)
  }
}

/** Where the restore put things. */
export interface RestoreResult {
  manifest: BackupManifest
  /** Where the replaced data went, or null when the data dir held none. */
  movedAsideTo: string | null
}

/** Restores the backup in `from` into `dataDir` (created if absent). Throws BackupInvalidError before any change. */
export async function restoreBackup(dataDir: string, from: string, now: Date): Promise<RestoreResult> {
  const { manifest, problems } = await verifyBackup(from)
  if (!manifest || problems.length > 0) throw new BackupInvalidError(problems)
  const stamp = now.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z')
  const staging = join(dataDir, `restore-${stamp}.staging`)
  await rm(staging, { recursive: true, force: true })
  try {
    for (const entry of manifest.entries) {
      const to = join(staging, entry.path)
      await mkdir(dirname(to), { recursive: true })
      await copyFile(join(from, entry.path), to)
      // Checked again after the copy: what lands is exactly what the manifest promised.
      const copied = await hashFile(to)
      if (copied.sha256 !== entry.sha256) throw new BackupInvalidError([`${entry.path} changed while it was copied`])
    }
    for (const secret of ['signing.key', 'demo-account.json']) if (existsSync(join(staging, secret))) await chmod(join(staging, secret), 0o600)
  } catch (err) {
    await rm(staging, { recursive: true, force: true })
    throw err
  }
  const movedAsideTo = await moveAside(dataDir, join(dataDir, `pre-restore-${stamp}`))
  for (const name of REPLACED) if (existsSync(join(staging, name))) await rename(join(staging, name), join(dataDir, name))
  await mkdir(join(dataDir, 'files'), { recursive: true })
  await mkdir(join(dataDir, 'artifacts'), { recursive: true })
  await rm(staging, { recursive: true, force: true })
  return { manifest, movedAsideTo }
}

async function moveAside(dataDir: string, aside: string): Promise<string | null> {
  const present = REPLACED.filter((name) => existsSync(join(dataDir, name)))
  if (present.length === 0) return null
  await mkdir(aside, { recursive: true })
  for (const name of present) await rename(join(dataDir, name), join(aside, name))
  return aside
}
