/**
 * The backup manifest (`manifest.json`, written last): what a backup holds, each entry with its
 * size and SHA-256, so a restore can prove every byte before it replaces anything.
 */
import { Type as T, type Static } from '@sinclair/typebox'
import { Value } from '@sinclair/typebox/value'
import { existsSync, readFileSync } from 'node:fs'
import { isAbsolute, join, normalize } from 'node:path'

export const MANIFEST_FILE = 'manifest.json'
export const BACKUP_FORMAT = 'batchrouter-backup'

export const BackupEntry = T.Object({ path: T.String({ minLength: 1 }), bytes: T.Integer({ minimum: 0 }), sha256: T.String({ pattern: '^[0-9a-f]{64}$' }) })
export type BackupEntry = Static<typeof BackupEntry>

export const BackupManifest = T.Object({
  format: T.Literal(BACKUP_FORMAT),
  version: T.Literal(1),
  created_at: T.String({ description: 'ISO time of the database snapshot.' }),
  batchrouter_version: T.String(),
  migrations: T.Array(T.String(), { description: 'Migration tags applied in the snapshot.' }),
  entries: T.Array(BackupEntry),
})
export type BackupManifest = Static<typeof BackupManifest>

/** Lowercase hex SHA-256 and size of a file, read as a stream. */
export async function hashFile(path: string): Promise<{ sha256: string; bytes: number }> {
  const hasher = new Bun.CryptoHasher('sha256')
  let bytes = 0
  for await (const chunk of Bun.file(path).stream()) {
    hasher.update(chunk)
    bytes += chunk.length
  }
  return { sha256: hasher.digest('hex'), bytes }
}

/** True for a relative path that stays inside the backup (no `..`, not absolute). */
export function isContainedPath(path: string): boolean {
  const normal = normalize(path)
  return !isAbsolute(path) && normal !== '..' && !normal.startsWith('../') && !normal.includes('/../')
}

/**
 * Reads and checks the backup in `dir`: a valid manifest, and every entry present with its size
 * and SHA-256. Returns the manifest and every problem found (empty when the backup is intact).
 */
export async function verifyBackup(dir: string): Promise<{ manifest: BackupManifest | null; problems: string[] }> {
  const path = join(dir, MANIFEST_FILE)
  if (!existsSync(path)) return { manifest: null, problems: [`${path} is missing: not a backup, or one that did not finish`] }
  let parsed: unknown
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'))
  } catch (err) {
    return { manifest: null, problems: [`${path} is not valid JSON: ${(err as Error).message}`] }
  }
  if (!Value.Check(BackupManifest, parsed)) {
    const first = Value.Errors(BackupManifest, parsed).First()
    return { manifest: null, problems: [`${path} is not a ${BACKUP_FORMAT} v1 manifest (${first?.path || '/'}: ${first?.message})`] }
  }
  const problems: string[] = []
  if (!parsed.entries.some((e) => e.path === 'router.db')) problems.push('the manifest lists no router.db')
  for (const entry of parsed.entries) {
    if (!isContainedPath(entry.path)) {
      problems.push(`entry '${entry.path}' points outside the backup`)
      continue
    }
    const file = join(dir, entry.path)
    if (!existsSync(file)) {
      problems.push(`${entry.path} is missing`)
      continue
    }
    const actual = await hashFile(file)
    if (actual.bytes !== entry.bytes || actual.sha256 !== entry.sha256) problems.push(`${entry.path} does not match the manifest (${actual.bytes} bytes, sha256 ${actual.sha256.slice(0, 12)}…; expected ${entry.bytes} bytes, ${entry.sha256.slice(0, 12)}…)`)
  }
  return { manifest: parsed, problems }
}
