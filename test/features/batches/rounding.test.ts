/**
 * One rounding rule (README "Money and rounding"): an item's price is rounded once, half up, to a
 * whole micro-dollar, and a batch is charged Σ of its items' costs — never more than it reserved,
 * the excess then written off the items that finished last — so Σ item cost = Σ lane settled =
 * charged, always. A property over random usage, rates, fees, tiers and reservations, and 300
 * tiny embedding items end to end over HTTP on a fake clock.
 */
import { afterAll, beforeAll, describe, expect, it } from 'bun:test'
import fc from 'fast-check'
import { FakeClock } from '../../../src/lib/clock'
import { capCosts, costOfTokens } from '../../../src/lib/money'
import { priceTokens } from '../../../src/features/catalog/index'
import { startTestApp, type TestApp } from '../../helpers/test-app'
import { eq } from 'drizzle-orm'
import { itemsTable } from '../../../src/features/items/table'
import { chatItems, driveToTerminal, embeddingItem, getJson, itemRows, ledgerSums, micros, newKey, pageAllResults, postBatch, reservationOfBatch } from '../../helpers/batch-helpers'

const SEED = 20261202

describe('the rounding rule (property)', () => {
  it('an item costs its exact price rounded half up: within ½ µ$ of the exact product, 0 for a tiny item', () => {
    fc.assert(
      fc.property(fc.nat(2_000_000), fc.nat(2_000_000), fc.nat(100_000_000), fc.nat(100_000_000), (inTok, outTok, inRate, outRate) => {
        const exact = (inTok * inRate + outTok * outRate) / 1_000_000
        const cost = costOfTokens(inTok, inRate, outTok, outRate)
        expect(Number.isSafeInteger(cost)).toBe(true)
        expect(Math.abs(cost - exact)).toBeLessThanOrEqual(0.5)
        if (exact < 0.5) expect(cost).toBe(0)
      }),
      { seed: SEED, numRuns: 2000 },
    )
  })

  const item = fc.record({ input: fc.nat(50_000), output: fc.nat(5_000) })
  const fees = fc.record({ batchFeeBps: fc.nat(3_000), discountBps: fc.nat(10_000), slaMultiplierBps: fc.constantFrom(0, 9_500, 10_000, 15_000) })

  it('Σ item cost = Σ lane settled = charged, for any usage, rates, fees, tier and reservation', () => {
    fc.assert(
      fc.property(fc.array(fc.array(item, { maxLength: 40 }), { minLength: 1, maxLength: 4 }), fc.record({ input: fc.nat(20_000_000), output: fc.nat(80_000_000) }), fees, fc.nat(5_000_000), (lanes, rates, f, reserved) => {
        const schedule = { batchFeeBps: f.batchFeeBps, discounts: [{ provider: 'p', bps: f.discountBps }], slaMultiplierBps: f.slaMultiplierBps }
        // Items in finishing order, lane by lane; the outcome path prices each on its own.
        const costs = lanes.flatMap((items, lane) => items.map((u) => ({ lane, cost: priceTokens(u.input, u.output, rates, 'p', schedule).total })))
        for (const c of costs) expect(c.cost).toBeGreaterThanOrEqual(0)
        const total = costs.reduce((a, c) => a + c.cost, 0)
        // Settlement: write-off order is last finished first.
        const capped = capCosts(costs.map((c) => c.cost).reverse(), reserved).reverse()
        const charged = Math.min(total, reserved)
        const laneSettled = lanes.map((_, lane) => costs.reduce((a, c, k) => (c.lane === lane ? a + capped[k]! : a), 0))
        expect(capped.reduce((a, c) => a + c, 0)).toBe(charged)
        expect(laneSettled.reduce((a, c) => a + c, 0)).toBe(charged)
        capped.forEach((c, k) => {
          expect(c).toBeGreaterThanOrEqual(0)
          expect(c).toBeLessThanOrEqual(costs[k]!.cost)
        })
      }),
      { seed: SEED, numRuns: 1000 },
    )
  })
})

describe('300 tiny embedding items (HTTP, fake clock)', () => {
  let app: TestApp
  const clock = new FakeClock()
  beforeAll(async () => {
    app = await startTestApp({ clock, scheduler: false, config: { demo: true } })
  })
  afterAll(() => app.close())

  it('Σ result costs = Σ lanes final_settled_price = charged = the ledger charge', async () => {
    const org = app.newOrg('5.00')
    const items = Array.from({ length: 300 }, (_, i) => embeddingItem(`tiny-${i}`))
    const created = await postBatch(app, org.auth, { items }, newKey('tiny'))
    expect(created.status).toBe(202)
    const batchId = created.body.id as string
    const row = await driveToTerminal(app, clock, batchId)
    expect(row.status).toBe('completed')
    const { results } = await pageAllResults(app, org.auth, batchId, 1000)
    expect(results).toHaveLength(300)
    expect(results.every((r) => r.status === 'completed')).toBe(true)
    const itemSum = results.reduce((a, r) => a + micros(r.cost.amount), 0)
    const receipt = await getJson(app, org.auth, `/v1/batches/${batchId}/billing-receipt`)
    expect(receipt.status).toBe(200)
    const laneSum = (receipt.body.billing_receipt.provider_lanes as Array<{ final_settled_price: { amount: string } }>).reduce((a, l) => a + micros(l.final_settled_price.amount), 0)
    const charged = micros(receipt.body.billing_receipt.pricing.final_settled_price.amount)
    const reservation = reservationOfBatch(app, batchId)!
    expect({ itemSum, laneSum, charged, ledger: ledgerSums(app, reservation.id).charge, row: row.chargedMicros }).toEqual({ itemSum: charged, laneSum: charged, charged, ledger: charged, row: charged })
    // Tiny items are not each rounded up to 1 µ$: 300 of them do not cost 300 µ$.
    expect(itemSum).toBeLessThan(300)
  })

  it('usage above the reservation: the charge stops at the reservation and the excess is written off the last items, still reconciled', async () => {
    const org = app.newOrg('5.00')
    const created = await postBatch(app, org.auth, { items: chatItems(6, 'gpt-4o-mini', 'over') }, newKey('over'))
    expect(created.status).toBe(202)
    const batchId = created.body.id as string
    for (let i = 0; i < 10 && itemRows(app, batchId).some((r) => r.status !== 'completed'); i++) {
      await app.runJob('route-batches')
      await app.runJob('dispatch-items')
      await app.settleDispatch()
      clock.advance(70_000)
      await app.runJob('collect-results')
    }
    const reservation = reservationOfBatch(app, batchId)!
    expect(reservation.amount).toBeGreaterThan(6)
    // A provider reporting far more usage than estimated: each item now costs a third of the reservation.
    const each = Math.ceil(reservation.amount / 3)
    app.deps.db.update(itemsTable).set({ costMicros: each }).where(eq(itemsTable.batchId, batchId)).run()
    const row = await driveToTerminal(app, clock, batchId)
    expect(row.chargedMicros).toBe(reservation.amount)
    const { results } = await pageAllResults(app, org.auth, batchId)
    const costs = results.map((r) => micros(r.cost.amount))
    expect(costs.reduce((a, c) => a + c, 0)).toBe(reservation.amount)
    expect(costs.filter((c) => c === each).length).toBeGreaterThanOrEqual(2)
    expect(costs.filter((c) => c === 0).length).toBeGreaterThanOrEqual(3)
    const sums = ledgerSums(app, reservation.id)
    expect([sums.charge, sums.release]).toEqual([reservation.amount, 0])
  })
})
