/**
 * The data dir is the operator's alone (issue 13 item 7): router.db (it holds webhook secrets) and
 * its -wal/-shm, signing.key and every stored file are 0600, files/ artifacts/ tmp/ are 0700 —
 * for a fresh data dir served by the real process, and for one an older version left readable.
 */
import { afterAll, describe, expect, it } from 'bun:test'
import { chmodSync, mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { registerOrg, removeDir, startServerProcess, tempDir, waitFor } from './helpers/process'
import { startTestApp } from './helpers/test-app'

const cleanup: string[] = []
afterAll(() => cleanup.forEach(removeDir))

const modeOf = (path: string) => statSync(path).mode & 0o777
const filesUnder = (dir: string): string[] => readdirSync(dir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name))

describe('data dir permissions', () => {
  it('a served data dir: router.db, -wal, -shm, signing.key and stored files 0600; files/ artifacts/ tmp/ 0700', async () => {
    const dataDir = tempDir('br-modes-')
    cleanup.push(dataDir)
    const server = await startServerProcess({ dataDir, config: { demo: true } })
    try {
      const client = await registerOrg(server.url)
      const created = await client.post('/v1/batches', { items: [{ customer_item_id: 'a', operation: 'responses', model: 'gpt-4o-mini', input: { messages: [{ role: 'user', content: 'hi' }] } }] }, { 'idempotency-key': 'modes-0001' })
      expect(created.status).toBe(202)
      await waitFor('batch done', async () => (await client.get(`/v1/batches/${created.body.id}`)).body.status === 'completed', { timeoutMs: 30_000 })
      for (const name of ['router.db', 'router.db-wal', 'router.db-shm', 'signing.key']) expect({ name, mode: modeOf(join(dataDir, name)) }).toEqual({ name, mode: 0o600 })
      for (const name of ['files', 'artifacts', 'tmp']) expect({ name, mode: modeOf(join(dataDir, name)) }).toEqual({ name, mode: 0o700 })
      const stored = [...filesUnder(join(dataDir, 'files')), ...filesUnder(join(dataDir, 'artifacts'))]
      expect(stored.length).toBeGreaterThan(1)
      for (const path of stored) expect({ path, mode: modeOf(path) }).toEqual({ path, mode: 0o600 })
    } finally {
      await server.stop()
    }
  }, 60_000)

  it('tightens a data dir an older version left world-readable', async () => {
    const dataDir = tempDir('br-modes-old-')
    cleanup.push(dataDir)
    for (const dir of ['files', 'artifacts', 'tmp']) mkdirSync(join(dataDir, dir), { mode: 0o755 })
    for (const name of ['router.db', 'router.db-wal', 'router.db-shm']) writeFileSync(join(dataDir, name), '')
    for (const name of ['router.db', 'router.db-wal', 'router.db-shm']) chmodSync(join(dataDir, name), 0o644)
    for (const dir of ['files', 'artifacts', 'tmp']) chmodSync(join(dataDir, dir), 0o755)
    const app = await startTestApp({ dataDir })
    try {
      for (const name of ['router.db', 'router.db-wal', 'router.db-shm']) expect({ name, mode: modeOf(join(dataDir, name)) }).toEqual({ name, mode: 0o600 })
      for (const dir of ['files', 'artifacts', 'tmp']) expect({ dir, mode: modeOf(join(dataDir, dir)) }).toEqual({ dir, mode: 0o700 })
    } finally {
      await app.close()
    }
  })
})
