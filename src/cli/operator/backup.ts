/**
 * `batchrouter backup --to DIR` (online, beside a running router) and `batchrouter restore --from
 * DIR` (verified first; refused while a router holds the data dir; the replaced data is kept
 * under pre-restore-<time>/; audited in the restored database).
 */
import { mkdirSync } from 'node:fs'
import { resolve } from 'node:path'
import { OPERATOR_OPTIONS, usageError } from '../args'
import { CliError, EXIT, EXIT_CODES_HELP } from '../exit-codes'
import { formatBytes, printJson } from '../output'
import { openStore } from '../open-store'
import { BackupInvalidError, createBackup, restoreBackup } from '../../features/backups'
import { recordAudit } from '../../features/audit'
import { acquireInstanceLock, InstanceLockedError } from '../../instance-lock'
import { runOperator } from './run'

export const BACKUP_USAGE = `Usage:
  batchrouter backup --to DIR       a consistent copy of the data dir (database snapshot, files, artifacts,
                                    signing key) with a manifest of SHA-256 checksums; safe while the server runs
  batchrouter restore --from DIR    verifies the backup, then replaces the data dir's contents (the old ones are
                                    kept in DATA_DIR/pre-restore-<time>/); the server must be stopped
Common: --data-dir DIR, --config FILE, --json. Scheduled backups: config "backups": {"dir", "everyHours", "keep"}.

${EXIT_CODES_HELP}`

const OPTIONS = { ...OPERATOR_OPTIONS, to: { type: 'string' }, from: { type: 'string' } } as const

/** Entry of `backup`. */
export function runBackupCommand(argv: string[]): Promise<number> {
  return runOperator(argv, OPTIONS, BACKUP_USAGE, async ({ values, json, withStore }) => {
    if (!values.to) usageError('backup needs --to DIR (a new or empty directory)', BACKUP_USAGE)
    const dest = resolve(values.to)
    const result = await withStore((deps) =>
      createBackup(deps, dest).catch((err: Error) => {
        throw new CliError(`backup failed: ${err.message}`, EXIT.failure)
      }),
    )
    const summary = { dir: result.dir, created_at: result.manifest.created_at, entries: result.manifest.entries.length, bytes: result.bytes }
    if (json) printJson(summary)
    else console.log(`backup written to ${summary.dir}: ${summary.entries} files, ${formatBytes(summary.bytes)}, snapshot at ${summary.created_at}`)
    return EXIT.ok
  })
}

/** Entry of `restore`. */
export function runRestoreCommand(argv: string[]): Promise<number> {
  return runOperator(argv, OPTIONS, BACKUP_USAGE, async ({ values, json, config }) => {
    if (!values.from) usageError('restore needs --from DIR (a backup made with batchrouter backup)', BACKUP_USAGE)
    const from = resolve(values.from)
    const dataDir = resolve(config.dataDir)
    mkdirSync(dataDir, { recursive: true })
    let release: () => void
    try {
      release = acquireInstanceLock(dataDir)
    } catch (err) {
      if (err instanceof InstanceLockedError) throw new CliError(`${err.message}; stop the server before restoring`, EXIT.failure)
      throw err
    }
    try {
      const restored = await restoreBackup(dataDir, from, new Date()).catch((err: unknown) => {
        if (err instanceof BackupInvalidError) throw new CliError(err.message, EXIT.failure)
        throw err
      })
      const deps = openStore(config)
      try {
        const check = deps.db.$client.query('PRAGMA integrity_check').get() as { integrity_check: string }
        if (check.integrity_check !== 'ok') throw new CliError(`the restored database fails its integrity check: ${check.integrity_check}`, EXIT.failure)
        recordAudit(deps, { actorKeyId: null, action: 'data.restore', subjectId: null, detail: { from, backup_created_at: restored.manifest.created_at, moved_aside_to: restored.movedAsideTo } })
      } finally {
        deps.db.$client.close()
      }
      const summary = { data_dir: dataDir, from, backup_created_at: restored.manifest.created_at, entries: restored.manifest.entries.length, moved_aside_to: restored.movedAsideTo }
      if (json) printJson(summary)
      else console.log(`restored ${summary.entries} files from ${from} (snapshot ${summary.backup_created_at}) into ${dataDir}${restored.movedAsideTo ? `; the previous data is in ${restored.movedAsideTo}` : ''}`)
      return EXIT.ok
    } finally {
      release()
    }
  })
}
