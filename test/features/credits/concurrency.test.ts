/**
 * Reservations and adjustments under contention never overdraw: exactly floor(balance / amount)
 * succeed, available stays ≥ 0 and available + reserved equals the sum of all entries — across
 * async tasks on several connections, concurrent HTTP requests, and separate OS processes.
 */
import { afterAll, beforeAll, describe, expect, it } from 'bun:test'
import { readdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { openTestStore, sumEntries, type TestStore } from './store'
import { json, startTestApp, type TestApp } from '../../helpers/test-app'
import { openDb } from '../../../src/db/client'
import { writeTx } from '../../../src/db/tx'
import { AppError } from '../../../src/lib/errors'
import type { Deps } from '../../../src/deps'
import { getBalance, grantCredits, reconcileOrg, reserveCreditsInTx } from '../../../src/features/credits'

const USD = 1_000_000

function expectConsistent(deps: Deps, orgId: string, granted: number): void {
  const balance = getBalance(deps, orgId)
  const sums = sumEntries(deps, orgId)
  expect(balance.available).toBeGreaterThanOrEqual(0)
  expect(balance.available + balance.reserved).toBe(sums.available + sums.reserved)
  expect(balance.available + balance.reserved).toBe(granted)
  expect(reconcileOrg(deps, orgId).consistent).toBe(true)
}

describe('reservations from many async tasks on several connections', () => {
  let store: TestStore
  beforeAll(() => {
    store = openTestStore()
  })
  afterAll(() => store.close())

  it('lets exactly floor(balance / amount) of 60 concurrent attempts succeed', async () => {
    const org = store.newOrgId()
    grantCredits(store.deps, { orgId: org, amount: 10 * USD, reference: `g-${org}` })
    const extra = [1, 2, 3].map(() => openDb(store.deps.paths.db))
    const connections: Deps[] = [store.deps, ...extra.map((db) => ({ ...store.deps, db }))]
    const amount = 300_000
    const outcomes = await Promise.all(
      Array.from({ length: 60 }, async (_, i) => {
        const deps = connections[i % connections.length]!
        await Bun.sleep(Math.floor(Math.random() * 5))
        try {
          writeTx(deps.db, () => reserveCreditsInTx(deps, { orgId: org, batchId: `bat_${i}`, amount }))
          return 'ok'
        } catch (err) {
          if (err instanceof AppError && err.code === 'insufficient_credits') return 'refused'
          throw err
        }
      }),
    )
    for (const db of extra) db.$client.close()
    expect(outcomes.filter((o) => o === 'ok').length).toBe(Math.floor((10 * USD) / amount))
    expect(getBalance(store.deps, org)).toEqual({ available: 10 * USD - 33 * amount, reserved: 33 * amount })
    expectConsistent(store.deps, org, 10 * USD)
  })
})

describe('reservations from separate OS processes on one data dir', () => {
  let store: TestStore
  beforeAll(() => {
    store = openTestStore()
  })
  afterAll(() => store.close())

  it('never overdraws: 3 processes × 40 attempts of 1.00 against 50.00 → exactly 50 succeed', async () => {
    const org = store.newOrgId()
    grantCredits(store.deps, { orgId: org, amount: 50 * USD, reference: `g-${org}` })
    const worker = join(import.meta.dir, 'reserve-worker.ts')
    const procs = [0, 1, 2].map(() =>
      Bun.spawn([process.execPath, worker, store.dataDir, org, String(USD), '40'], { stdout: 'pipe', stderr: 'pipe', env: { ...process.env, NO_COLOR: '1' } }),
    )
    while (readdirSync(store.dataDir).filter((f) => f.startsWith('ready-')).length < 3) await Bun.sleep(5)
    writeFileSync(join(store.dataDir, 'go'), '')
    const results = await Promise.all(
      procs.map(async (p) => {
        const [out, err, code] = await Promise.all([new Response(p.stdout).text(), new Response(p.stderr).text(), p.exited])
        expect({ code, err }).toEqual({ code: 0, err: '' })
        return JSON.parse(out.trim()) as { ok: number; refused: number }
      }),
    )
    expect(results.reduce((n, r) => n + r.ok, 0)).toBe(50)
    expect(results.reduce((n, r) => n + r.refused, 0)).toBe(70)
    expect(getBalance(store.deps, org)).toEqual({ available: 0, reserved: 50 * USD })
    expectConsistent(store.deps, org, 50 * USD)
  }, 30_000)
})

describe('operator adjustments over HTTP, all at once', () => {
  let app: TestApp
  let admin: Record<string, string>
  beforeAll(async () => {
    app = await startTestApp()
    admin = { authorization: `Bearer ${app.adminKey()}`, 'content-type': 'application/json' }
  })
  afterAll(() => app.close())
  const post = (orgId: string, body: unknown) => json(app.request(`/v1/admin/orgs/${orgId}/credits`, { method: 'POST', headers: admin, body: JSON.stringify(body) }))

  it('lets exactly 10 of 25 concurrent −1.00 adjustments against 10.00 succeed; the rest answer 402', async () => {
    const org = app.newOrg('10')
    const results = await Promise.all(Array.from({ length: 25 }, (_, i) => post(org.orgId, { amount: '-1.00', note: 'concurrent', reference: `adj-${org.orgId}-${i}` })))
    const statuses = results.map((r) => r.status)
    expect(statuses.filter((s) => s === 201).length).toBe(10)
    expect(statuses.filter((s) => s === 402).length).toBe(15)
    for (const r of results.filter((x) => x.status === 402)) expect(r.body.error.code).toBe('insufficient_credits')
    expect(getBalance(app.deps, org.orgId)).toEqual({ available: 0, reserved: 0 })
    expectConsistent(app.deps, org.orgId, 0)
  })

  it('writes one grant for 20 concurrent requests with the same reference', async () => {
    const org = app.newOrg()
    const results = await Promise.all(Array.from({ length: 20 }, () => post(org.orgId, { amount: '3.00', note: 'dup', reference: `dup-${org.orgId}` })))
    expect(results.filter((r) => r.status === 201).length).toBe(1)
    expect(results.filter((r) => r.status === 200 && r.body.replayed === true).length).toBe(19)
    expect(new Set(results.map((r) => r.body.entry.id)).size).toBe(1)
    expect(getBalance(app.deps, org.orgId).available).toBe(3 * USD)
  })
})
