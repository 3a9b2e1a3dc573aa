/**
 * Scheduled backups (config `backups: {dir, everyHours, keep}`) driven on a fake clock through
 * the app's `backups.runNow(now)`, as the server's timer calls it: one backup per period, the
 * newest `keep` kept, each one whole and verifiable.
 */
import { afterAll, beforeAll, describe, expect, it } from 'bun:test'
import { mkdirSync, readdirSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { FakeClock } from '../../../src/lib/clock'
import { listBackups, verifyBackup } from '../../../src/features/backups'
import { startTestApp, type TestApp } from '../../helpers/test-app'

const HOUR = 3600_000
const clock = new FakeClock(Date.parse('2026-03-01T00:00:00Z'))
let app: TestApp
let dir: string

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'br-backups-'))
  app = await startTestApp({ clock, scheduler: false, config: { backups: { dir, everyHours: 6, keep: 2 } } })
})
afterAll(async () => {
  await app.close()
  rmSync(dir, { recursive: true, force: true })
})

describe('scheduled backups', () => {
  it('writes one when none exists, then only once the newest is everyHours old, keeping the newest keep', async () => {
    const org = app.newOrg('1.00')
    expect(await app.backups.runNow(clock.now())).toBe(true)
    expect(listBackups(dir).map((b) => b.name)).toEqual(['backup-20260301T000000Z'])
    expect(await app.backups.runNow(clock.now() + 5 * HOUR)).toBe(false)
    expect(await app.backups.runNow(clock.now() + 6 * HOUR)).toBe(true)
    expect(await app.backups.runNow(clock.now() + 12 * HOUR)).toBe(true)
    expect(listBackups(dir).map((b) => b.name)).toEqual(['backup-20260301T060000Z', 'backup-20260301T120000Z'])
    for (const backup of listBackups(dir)) {
      const { manifest, problems } = await verifyBackup(join(dir, backup.name))
      expect(problems).toEqual([])
      expect(manifest!.entries.map((e) => e.path)).toContain('router.db')
    }
    expect(org.orgId).toMatch(/^org_/)
  })

  it('removes a backup left half-written by a crash (a .partial folder) on the next pass', async () => {
    mkdirSync(join(dir, 'backup-20260301T170000Z.partial'))
    expect(await app.backups.runNow(clock.now() + 18 * HOUR)).toBe(true)
    expect(readdirSync(dir).sort()).toEqual(['backup-20260301T120000Z', 'backup-20260301T180000Z'])
  })

  it('does nothing without a backups section', async () => {
    const plain = await startTestApp({ clock, scheduler: false })
    try {
      expect(await plain.backups.runNow(clock.now() + 100 * HOUR)).toBe(false)
    } finally {
      await plain.close()
    }
  })
})
