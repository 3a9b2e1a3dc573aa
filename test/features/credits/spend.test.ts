/**
 * GET /v1/auth/account/spend: charges settled per UTC day over a zero-filled window, only the
 * caller's org, and a clear 400 for a bad window. Charges are written by the real ledger functions
 * on a fake clock, so day boundaries are exact.
 */
import { afterAll, beforeAll, describe, expect, it } from 'bun:test'
import { json, startTestApp, type TestApp } from '../../helpers/test-app'
import { FakeClock } from '../../../src/lib/clock'
import { writeTx } from '../../../src/db/tx'
import { reserveCreditsInTx, settleReservation } from '../../../src/features/credits'

const DAY = 86_400_000
const clock = new FakeClock(Date.parse('2026-03-10T12:00:00.000Z'))
let app: TestApp
beforeAll(async () => {
  app = await startTestApp({ clock })
})
afterAll(() => app.close())

/** Reserves `reserve` and settles `charge` micro-dollars for the org at the clock's current time. */
function chargeAt(orgId: string, at: number, reserve: number, charge: number) {
  clock.set(at)
  const r = writeTx(app.deps.db, () => reserveCreditsInTx(app.deps, { orgId, batchId: `bat_${crypto.randomUUID()}`, amount: reserve }))
  settleReservation(app.deps, r.id, charge)
}

describe('GET /v1/auth/account/spend', () => {
  it('sums charges per UTC day, zero-fills the window oldest first, and leaves releases and other orgs out', async () => {
    const org = app.newOrg('10')
    const other = app.newOrg('10')
    const now = Date.parse('2026-03-10T12:00:00.000Z')
    chargeAt(org.orgId, Date.parse('2026-03-08T00:00:00.000Z'), 500_000, 120_000) // first ms of the 8th
    chargeAt(org.orgId, Date.parse('2026-03-08T23:59:59.999Z'), 500_000, 3_456) // last ms of the 8th
    chargeAt(org.orgId, Date.parse('2026-03-10T09:00:00.000Z'), 950_000, 900_000) // the 50000 released is not spend
    chargeAt(org.orgId, Date.parse('2026-03-01T09:00:00.000Z'), 500_000, 7) // outside a 3-day window
    chargeAt(other.orgId, Date.parse('2026-03-09T09:00:00.000Z'), 500_000, 500_000) // another org's
    clock.set(now)
    const res = await json(app.request('/v1/auth/account/spend?days=3', { headers: org.auth }))
    expect(res.status).toBe(200)
    expect(res.body).toEqual({
      object: 'spend',
      currency: 'usd',
      days: 3,
      total: '1.023456',
      data: [
        { date: '2026-03-08', amount: '0.123456' },
        { date: '2026-03-09', amount: '0.000000' },
        { date: '2026-03-10', amount: '0.900000' },
      ],
    })
  })

  it('defaults to 30 days ending today', async () => {
    clock.set(Date.parse('2026-03-10T12:00:00.000Z'))
    const res = await json(app.request('/v1/auth/account/spend', { headers: app.newOrg().auth }))
    expect(res.status).toBe(200)
    expect(res.body.days).toBe(30)
    expect(res.body.data[0].date).toBe(new Date(clock.now() - 29 * DAY).toISOString().slice(0, 10))
    expect(res.body.data.at(-1).date).toBe('2026-03-10')
    expect(res.body.total).toBe('0.000000')
  })

  it('answers 400 validation_failed naming days outside 1–366', async () => {
    const org = app.newOrg()
    for (const days of ['0', '367', '-1', 'abc', '1.5']) {
      const res = await json(app.request(`/v1/auth/account/spend?days=${days}`, { headers: org.auth }))
      expect({ days, status: res.status, code: res.body.error.code }).toEqual({ days, status: 400, code: 'validation_failed' })
    }
  })
})
