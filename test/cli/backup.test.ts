/**
 * `batchrouter backup` while a real server runs, then `batchrouter restore` into another data dir:
 * a server started on the restored dir answers with the same batches, files, results and signed
 * artifact links. A tampered backup and a data dir in use are refused before anything changes.
 */
import { afterAll, beforeAll, describe, expect, it as baseIt } from 'bun:test'
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { apiClient, removeDir, startServerProcess, tempDir, type ServerProcess } from '../helpers/process'
import { runCliPiped } from '../helpers/cli-run'

const it = (name: string, fn: () => Promise<void>) => baseIt(name, fn, 120_000)
let root: string
let server: ServerProcess
const started: ServerProcess[] = []
let key: string
let batchId: string
let inputFileId: string
let backupDir: string

const sha256 = (path: string) => new Bun.CryptoHasher('sha256').update(readFileSync(path)).digest('hex')

beforeAll(async () => {
  root = tempDir('br-cli-backup-')
  server = await startServerProcess({ dataDir: join(root, 'data'), config: { demo: true, tickMs: 50 } })
  started.push(server)
  key = (/API key: (br_live_\w+)/.exec(server.stdout()) ?? [])[1] ?? ''
  const input = join(root, 'in.jsonl')
  writeFileSync(input, ['a', 'b', 'c'].map((id) => JSON.stringify({ custom_id: id, method: 'POST', url: '/v1/chat/completions', body: { model: 'gpt-4o-mini', messages: [{ role: 'user', content: `hi ${id}` }] } })).join('\n') + '\n')
  const env = { BATCHROUTER_BASE_URL: server.url, BATCHROUTER_API_KEY: key }
  const done = JSON.parse((await runCliPiped(['batch', 'submit', input, '--watch'], env)).stdout)
  batchId = done.id
  inputFileId = done.input_file_id
}, 120_000)
afterAll(async () => {
  await Promise.all(started.map((s) => s.stop('SIGKILL')))
  removeDir(root)
})

describe('batchrouter backup and restore', () => {
  it('backs up online, refuses to restore over the running server, and restores into a dir a new server serves identically', async () => {
    expect(key).toMatch(/^br_live_/)
    backupDir = join(root, 'backup-1')
    const backup = await runCliPiped(['backup', '--to', backupDir, '--data-dir', server.dataDir])
    expect(backup.code).toBe(0)
    const summary = JSON.parse(backup.stdout)
    const manifest = JSON.parse(readFileSync(join(backupDir, 'manifest.json'), 'utf8'))
    expect(summary).toMatchObject({ dir: backupDir, entries: manifest.entries.length })
    for (const entry of manifest.entries) expect(sha256(join(backupDir, entry.path))).toBe(entry.sha256)
    expect(manifest.entries.map((e: { path: string }) => e.path)).toEqual(expect.arrayContaining(['router.db', 'signing.key', `files/${inputFileId}`, `artifacts/${batchId}/results.jsonl`]))

    const busy = await runCliPiped(['restore', '--from', backupDir, '--data-dir', server.dataDir])
    expect(busy.code).toBe(1)
    expect(busy.stderr).toContain(`pid ${server.pid}`)
    expect(busy.stderr).toContain('stop the server before restoring')

    const client = apiClient(server.url, key)
    const before = { batches: (await client.get('/v1/batches')).body.data.map((b: { id: string }) => b.id), results: await (await fetch((await client.get(`/v1/batches/${batchId}/artifact-url`)).body.url)).text(), input: await (await fetch(`${server.url}/v1/files/${inputFileId}/content`, { headers: { authorization: `Bearer ${key}` } })).text() }
    const signedLink = (await client.get(`/v1/batches/${batchId}/artifact-url`)).body.url as string

    const restoredDir = join(root, 'restored')
    const restored = await runCliPiped(['restore', '--from', backupDir, '--data-dir', restoredDir])
    expect(restored.code).toBe(0)
    expect(JSON.parse(restored.stdout)).toMatchObject({ data_dir: restoredDir, moved_aside_to: null })
    const second = await startServerProcess({ dataDir: restoredDir, config: { demo: true, tickMs: 50 } })
    started.push(second)
    expect(second.stdout()).toContain(key) // the demo account came back with the data
    const again = apiClient(second.url, key)
    expect((await again.get('/v1/batches')).body.data.map((b: { id: string }) => b.id)).toEqual(before.batches)
    expect((await again.get(`/v1/batches/${batchId}`)).body).toMatchObject({ status: 'completed', request_counts: { total: 3, completed: 3 } })
    expect(await (await fetch(`${second.url}/v1/files/${inputFileId}/content`, { headers: { authorization: `Bearer ${key}` } })).text()).toBe(before.input)
    expect(await (await fetch((await again.get(`/v1/batches/${batchId}/artifact-url`)).body.url)).text()).toBe(before.results)
    // The signing key came along: a link signed by the first server works on the restored one.
    expect((await fetch(signedLink.replace(server.url, second.url))).status).toBe(200)
    await second.stop('SIGTERM')
  })

  it('refuses a backup whose bytes no longer match its manifest and leaves the data dir untouched', async () => {
    const target = join(root, 'restored')
    const dbBefore = sha256(join(target, 'router.db'))
    const tampered = join(root, 'backup-tampered')
    expect((await runCliPiped(['backup', '--to', tampered, '--data-dir', target])).code).toBe(0)
    const inputCopy = join(tampered, 'files', inputFileId)
    writeFileSync(inputCopy, readFileSync(inputCopy, 'utf8').replace('hi a', 'hi z'))
    const res = await runCliPiped(['restore', '--from', tampered, '--data-dir', target])
    expect(res.code).toBe(1)
    expect(res.stderr).toContain(`files/${inputFileId} does not match the manifest`)
    expect(sha256(join(target, 'router.db'))).toBe(dbBefore)
    expect(readdirSync(target).filter((n) => n.startsWith('pre-restore-') || n.includes('staging'))).toEqual([])
  })

  it('restoring over an existing data dir keeps the replaced data under pre-restore-<time>/ and audits the restore', async () => {
    const target = join(root, 'restored')
    const res = await runCliPiped(['restore', '--from', backupDir, '--data-dir', target])
    expect(res.code).toBe(0)
    const aside = JSON.parse(res.stdout).moved_aside_to as string
    expect(aside).toStartWith(join(target, 'pre-restore-'))
    expect(existsSync(join(aside, 'router.db'))).toBe(true)
    const { Database } = await import('bun:sqlite')
    const db = new Database(join(target, 'router.db'), { readonly: true })
    try {
      expect(db.query("SELECT count(*) AS n FROM audit_log WHERE action = 'data.restore'").get()).toEqual({ n: 1 })
    } finally {
      db.close()
    }
  })

  it('refuses a directory that is not a backup (exit 1) and a backup target that is not empty', async () => {
    const res = await runCliPiped(['restore', '--from', root, '--data-dir', join(root, 'nowhere')])
    expect(res.code).toBe(1)
    expect(res.stderr).toContain('manifest.json is missing')
    const full = await runCliPiped(['backup', '--to', backupDir, '--data-dir', server.dataDir])
    expect(full.code).toBe(1)
    expect(full.stderr).toContain('is not empty')
  })
})
