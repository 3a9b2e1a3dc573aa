/**
 * `batchrouter backup` against its bare baseline, in one run.
 *
 * Builds a data dir through the real store (openStore on a temp dir): a database inflated to about
 * `dbMb` MB with ledger-sized audit rows, and `files` uploaded-file rows of `fileMb` MB each in
 * files/. Then times, on the same data dir:
 *
 * - backup: `createBackup` (VACUUM INTO snapshot, copies, SHA-256 of every entry, manifest);
 * - vacuum: the VACUUM INTO alone (how long a scheduled backup holds the server's connection);
 * - bare: `cp -r` of the data dir (copy only, no snapshot, no checksums).
 *
 * Prints MB, seconds and the ratio backup/bare.
 *
 *   bun bench/backup.ts [dbMb=200] [files=20] [fileMb=10]
 */
import { mkdirSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { validateConfig } from '../src/config'
import { openStore } from '../src/cli/open-store'
import { createBackup } from '../src/features/backups'
import { createOrg } from '../src/features/accounts'
import { tempDir, removeDir } from '../test/helpers/process'

const DB_MB = Number(process.argv[2] ?? 200)
const FILES = Number(process.argv[3] ?? 20)
const FILE_MB = Number(process.argv[4] ?? 10)

const root = tempDir('br-bench-backup-')
const dataDir = join(root, 'data')
const deps = openStore(validateConfig({ dataDir, logLevel: 'silent' }))
try {
  const org = createOrg(deps, { name: 'bench', startingCreditMicros: 0 }).org.id
  const insertAudit = deps.db.$client.prepare("INSERT INTO audit_log (actor_key_id, action, subject_id, detail, created_at) VALUES (NULL, 'catalog.reload', ?, ?, ?)")
  const detail = JSON.stringify({ note: 'x'.repeat(900) })
  const rows = Math.round((DB_MB * 1e6) / 1000)
  deps.db.$client.transaction(() => {
    for (let i = 0; i < rows; i++) insertAudit.run(`s${i}`, detail, Date.now())
  })()
  const insertFile = deps.db.$client.prepare("INSERT INTO files (id, org_id, filename, purpose, content_type, bytes, sha256, line_count, path, created_at, expires_at, deleted_at) VALUES (?, ?, 'in.jsonl', 'batch', 'application/jsonl', ?, ?, 1, ?, ?, NULL, NULL)")
  const chunk = Buffer.alloc(FILE_MB * 1e6, 'a')
  mkdirSync(deps.paths.files, { recursive: true })
  for (let i = 0; i < FILES; i++) {
    const id = `file_bench${String(i).padStart(16, '0')}`
    writeFileSync(join(deps.paths.files, id), chunk)
    insertFile.run(id, org, chunk.length, '0'.repeat(64), `files/${id}`, Date.now())
  }
  deps.db.$client.exec('PRAGMA wal_checkpoint(TRUNCATE)')
  const dbMb = statSync(deps.paths.db).size / 1e6
  const totalMb = dbMb + (FILES * chunk.length) / 1e6

  let t = performance.now()
  deps.db.$client.exec(`VACUUM INTO '${join(root, 'vacuum.db')}'`)
  const vacuumS = (performance.now() - t) / 1000

  t = performance.now()
  const result = await createBackup(deps, join(root, 'backup'))
  const backupS = (performance.now() - t) / 1000

  t = performance.now()
  const cp = Bun.spawnSync(['cp', '-r', dataDir, join(root, 'bare-copy')])
  const bareS = (performance.now() - t) / 1000
  if (cp.exitCode !== 0) throw new Error(`cp failed: ${cp.stderr}`)

  console.log(`data dir: ${totalMb.toFixed(0)} MB (database ${dbMb.toFixed(0)} MB, ${FILES} files of ${FILE_MB} MB); backup wrote ${result.manifest.entries.length} entries, ${(result.bytes / 1e6).toFixed(0)} MB`)
  console.log(`backup ${backupS.toFixed(2)} s · bare cp -r ${bareS.toFixed(2)} s · ratio ${(backupS / bareS).toFixed(2)} · VACUUM INTO alone ${vacuumS.toFixed(2)} s (${(dbMb / vacuumS).toFixed(0)} MB/s)`)
} finally {
  deps.db.$client.close()
  rmSync(join(root, 'vacuum.db'), { force: true })
  removeDir(root)
}
