/**
 * SLA tiers end to end over HTTP on a fake clock (demo mode: every provider is the simulator):
 * the published multipliers, quotes priced per tier (per lane and in total), the multiplier locked
 * with a quote and with a batch (across a restart with other settings), reservations and
 * settlement at it (never above the reservation, every movement a ledger entry), the billing
 * receipt; flex reaching a lane slower than 24 h; priority taking the fastest lane.
 */
import { afterAll, beforeAll, describe, expect, it } from 'bun:test'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { eq } from 'drizzle-orm'
import { FakeClock } from '../../../src/lib/clock'
import { parseMicros } from '../../../src/lib/money'
import { priceTokens } from '../../../src/features/catalog/pricing'
import { lanesTable } from '../../../src/features/dispatch/table'
import { json, startTestApp, type TestApp } from '../../helpers/test-app'
import { LLAMA, batchRow, chatItem, driveToTerminal, getJson, ledgerSums, micros, newKey, pageAllResults, postBatch, postQuote, reservationOfBatch } from '../../helpers/batch-helpers'

const HOUR = 3600
const clock = new FakeClock(Date.parse('2026-05-04T10:00:00.000Z'))
/** A cheap gpt-4o-mini host that takes 30 h: beyond standard's 24 h, within flex's 48 h. */
const SLOW_MINI = {
  offering_id: 'openhost-gpt-4o-mini-slow', model: 'gpt-4o-mini', provider: 'openhost', lane_kind: 'public', input_per_1m: '0.03', output_per_1m: '0.12',
  max_batch_items: 50_000, concurrency: 8, regions: ['us'], retention: { zdr: true, days: 0 }, privacy_tiers: ['standard'], hosted_tools: [], supports_tools: true, turnaround_seconds: 30 * HOUR,
}
const CONFIG = { demo: true, catalog: { offerings: [SLOW_MINI] } }
const dataDir = mkdtempSync(join(tmpdir(), 'br-sla-'))
let app: TestApp

beforeAll(async () => {
  app = await startTestApp({ clock, scheduler: false, config: CONFIG, dataDir })
})
afterAll(async () => {
  await app.close()
  rmSync(dataDir, { recursive: true, force: true })
})

/** A signed wire amount ("-0.000123") in micro-dollars. */
const signed = (amount: string) => {
  expect(amount).toMatch(/^-?\d+\.\d{6}$/)
  return parseMicros(amount, { allowNegative: true })!
}

/** Checks a price breakdown adds up and that its adjustment is the tier's multiplier on the rest, rounded once. */
function expectPricedAt(price: any, factor: number) {
  const base = micros(price.provider_subtotal) + micros(price.batchrouter_fee) - micros(price.customer_discount ?? '0.000000')
  expect(signed(price.sla_adjustment)).toBe(Math.round(base * (factor - 1)) + 0)
  expect(micros(price.total)).toBe(base + signed(price.sla_adjustment))
  return base
}

/**
 * `n` chat items long enough (~10,000 input tokens each) that a 5 % multiplier moves every item's
 * cost by many micro-dollars, so settling at the wrong multiplier cannot go unnoticed.
 */
const bigItems = (n: number, model: string, prefix: string) =>
  Array.from({ length: n }, (_, i) => chatItem(`${prefix}-${i + 1}`, model, { messages: [{ role: 'user', content: `Summarize item ${i + 1}: ${'batch routing keeps work moving '.repeat(1300)}` }] }))
const llamaBody = (tier: string) => ({ items: bigItems(3, LLAMA, `llama-${tier}`), sla_tier: tier })
/** The item's cost at ×1 from its usage at the lane's rates (the standard price), to compare a tier's against. */
const standardCost = (r: any, lane: { inputRate: number; outputRate: number; provider: string }) =>
  priceTokens(r.usage.input_tokens, r.usage.output_tokens, { input: lane.inputRate, output: lane.outputRate }, lane.provider, { batchFeeBps: 590, discounts: [], slaMultiplierBps: 10_000 }).total

describe('GET /v1/pricing/fees', () => {
  it('publishes the default multipliers: flex ×0.95, standard ×1, priority ×1.5', async () => {
    const { status, body } = await json(app.request('/v1/pricing/fees'))
    expect(status).toBe(200)
    expect(body.sla_multipliers).toEqual({ standard: 1, flex: 0.95, priority: 1.5 })
  })
})

describe('POST /v1/quotes/model per SLA tier', () => {
  it('prices the same items per tier: the multiplier on every lane and on the total, shown as sla_adjustment', async () => {
    const org = app.newOrg('5.00')
    const [standard, flex, priority] = await Promise.all([postQuote(app, org.auth, llamaBody('standard')), postQuote(app, org.auth, llamaBody('flex')), postQuote(app, org.auth, llamaBody('priority'))])
    for (const q of [standard, flex, priority]) expect(q.status).toBe(200)
    expect([standard.body.sla_multiplier, flex.body.sla_multiplier, priority.body.sla_multiplier]).toEqual([1, 0.95, 1.5])

    // standard and flex run on the cheapest lane (the edge node); flex pays 5 % less for the very same lane.
    const lane = (q: any) => q.body.quote_lanes.find((l: any) => l.selected)
    expect([lane(standard).offering_id, lane(flex).offering_id]).toEqual(['edge-llama-3.1-8b-instruct', 'edge-llama-3.1-8b-instruct'])
    const base = expectPricedAt(standard.body.pricing_estimate, 1)
    expect(standard.body.pricing_estimate.sla_adjustment).toBe('0.000000')
    expect(expectPricedAt(flex.body.pricing_estimate, 0.95)).toBe(base)
    expect(signed(flex.body.pricing_estimate.sla_adjustment)).toBeLessThan(0)
    expect(micros(flex.body.pricing_estimate.total)).toBeLessThan(micros(standard.body.pricing_estimate.total))
    for (const q of [flex, priority]) {
      for (const l of q.body.quote_lanes) expectPricedAt(l.price, q.body.sla_multiplier)
      expect(lane(q).price.total).toBe(q.body.pricing_estimate.total)
      expect(q.body.funding_preview.reservation_amount).toBe(q.body.pricing_estimate.total)
    }

    // priority takes the fastest lane (openhost, 30 min) over the cheaper 1 h edge lane, at ×1.5.
    expect(lane(priority)).toMatchObject({ offering_id: 'openhost-llama-3.1-8b-instruct', estimated_completion_seconds: 1800, fallback_order: ['edge-llama-3.1-8b-instruct'] })
    expect(lane(priority).reason).toContain('the fastest eligible lane for priority work (expected 30 min')
    const edge = priority.body.quote_lanes.find((l: any) => l.offering_id === 'edge-llama-3.1-8b-instruct')
    expect(edge.reason).toBe('Eligible and kept as fallback at rank 2; openhost-llama-3.1-8b-instruct ranks ahead (expected 30 min vs 60 min).')
    expect(micros(edge.price.total)).toBeLessThan(micros(lane(priority).price.total))
    expectPricedAt(priority.body.pricing_estimate, 1.5)
  })

  it('flex reaches a 30 h lane that standard refuses as sla_unachievable; priority has no lane for it', async () => {
    const org = app.newOrg('5.00')
    const body = (tier: string) => ({ items: bigItems(2, 'gpt-4o-mini', `mini-${tier}`), sla_tier: tier })
    const standard = await postQuote(app, org.auth, body('standard'))
    const slowIn = (q: any) => q.body.quote_lanes.find((l: any) => l.offering_id === SLOW_MINI.offering_id)
    expect(slowIn(standard)).toMatchObject({ selected: false, rejection_code: 'sla_unachievable', reason: 'Expected to take 30 h (catalog figure); only 24 h are left before the deadline.' })
    expect(standard.body.quote_lanes.find((l: any) => l.selected).offering_id).toBe('openai-batch-gpt-4o-mini')

    const flex = await postQuote(app, org.auth, body('flex'))
    expect(slowIn(flex)).toMatchObject({ selected: true, rank: 1, rejection_code: null, estimated_completion_seconds: 30 * HOUR })
    expect(flex.body.sla_deadline).toBe(new Date(clock.now() + 48 * HOUR * 1000).toISOString())
    expect(micros(flex.body.pricing_estimate.total)).toBeLessThan(micros(standard.body.pricing_estimate.total))

    const priority = await postQuote(app, org.auth, body('priority'))
    expect(priority.status).toBe(400)
    expect(priority.body.error.code).toBe('no_eligible_lane')
    expect(priority.body.error.details.rejections.map((r: any) => [r.offering_id, r.rejection_code])).toEqual([
      ['openai-batch-gpt-4o-mini', 'sla_unachievable'],
      [SLOW_MINI.offering_id, 'sla_unachievable'],
    ])
  })
})

describe('a priority batch from its quote: reserved, settled and receipted at ×1.5', () => {
  it('reserves the quoted total, settles each item at its usage × 1.5 (never above the reservation) and shows the tier in the receipt', async () => {
    const org = app.newOrg('5.00')
    const quote = (await postQuote(app, org.auth, llamaBody('priority'))).body
    const created = await postBatch(app, org.auth, { ...llamaBody('priority'), quote_id: quote.quote_id }, newKey('prio'))
    expect(created.status).toBe(202)
    expect(created.body.batch).toMatchObject({ sla_tier: 'priority', sla_multiplier: 1.5, pricing_estimate: quote.pricing_estimate })
    const reservation = reservationOfBatch(app, created.body.id)!
    expect(reservation.amount).toBe(micros(quote.pricing_estimate.total))

    expect((await driveToTerminal(app, clock, created.body.id)).status).toBe('completed')
    const lanes = app.deps.db.select().from(lanesTable).where(eq(lanesTable.batchId, created.body.id)).all()
    expect(lanes.map((l) => [l.offeringId, l.slaMultiplierBps])).toEqual([['openhost-llama-3.1-8b-instruct', 15_000]])
    const { results } = await pageAllResults(app, org.auth, created.body.id)
    expect(results.map((r: any) => r.status)).toEqual(['completed', 'completed', 'completed'])
    let charged = 0
    for (const r of results) {
      // The same usage at ×1 (the standard price), then the multiplier on it, rounded half up once.
      const atStandard = standardCost(r, lanes[0]!)
      expect(atStandard).toBeGreaterThan(500)
      expect(micros(r.cost.amount)).toBe(atStandard + Math.round(atStandard * 0.5))
      charged += micros(r.cost.amount)
    }
    expect(charged).toBeGreaterThan(0)

    const settled = reservationOfBatch(app, created.body.id)!
    expect(settled).toMatchObject({ status: 'settled', charged, released: reservation.amount - charged })
    expect(settled.charged).toBeLessThanOrEqual(settled.amount)
    expect(ledgerSums(app, settled.id)).toEqual({ reserve: reservation.amount, charge: charged, release: reservation.amount - charged, entries: 3 })

    const receipt = (await getJson(app, org.auth, `/v1/batches/${created.body.id}/billing-receipt`)).body.billing_receipt
    expect(receipt.pricing).toEqual({
      quoted_price: { currency: 'usd', amount: quote.pricing_estimate.total },
      final_settled_price: { currency: 'usd', amount: (charged / 1e6).toFixed(6) },
      sla_tier: 'priority',
      sla_multiplier: 1.5,
      quoted_sla_adjustment: { currency: 'usd', amount: quote.pricing_estimate.sla_adjustment },
    })
    expect(receipt.provider_lanes.map((l: any) => [l.offering_id, l.quoted_price.amount, micros(l.final_settled_price.amount)])).toEqual([['openhost-llama-3.1-8b-instruct', quote.pricing_estimate.total, charged]])
    expect(receipt.credits).toMatchObject({ reserved: { amount: quote.pricing_estimate.total }, charged: { amount: (charged / 1e6).toFixed(6) }, reservation_status: 'settled' })
    const account = (await getJson(app, org.auth, '/v1/auth/account')).body
    expect(micros(account.credit_balance)).toBe(5_000_000 - charged)
  })
})

describe('a flex batch on the 30 h lane', () => {
  it('is accepted, routed to the slow lane, and settled at ×0.95', async () => {
    const org = app.newOrg('5.00')
    const created = await postBatch(app, org.auth, { items: bigItems(2, 'gpt-4o-mini', 'flexrun'), sla_tier: 'flex' }, newKey('flex'))
    expect(created.status).toBe(202)
    expect(created.body.batch).toMatchObject({ sla_tier: 'flex', sla_multiplier: 0.95 })
    expectPricedAt(created.body.batch.pricing_estimate, 0.95)
    expect(batchRow(app, created.body.id)!.slaDeadline).toBe(clock.now() + 48 * HOUR * 1000)
    expect((await driveToTerminal(app, clock, created.body.id)).status).toBe('completed')
    const lanes = app.deps.db.select().from(lanesTable).where(eq(lanesTable.batchId, created.body.id)).all()
    expect(lanes.map((l) => [l.offeringId, l.slaMultiplierBps])).toEqual([[SLOW_MINI.offering_id, 9_500]])
    const { results } = await pageAllResults(app, org.auth, created.body.id)
    for (const r of results) {
      const atStandard = standardCost(r, lanes[0]!)
      expect(atStandard).toBeGreaterThan(200)
      expect(micros(r.cost.amount)).toBe(atStandard + Math.round(atStandard * -0.05) + 0)
    }
    const charged = results.reduce((a: number, r: any) => a + micros(r.cost.amount), 0)
    expect(reservationOfBatch(app, created.body.id)).toMatchObject({ status: 'settled', charged })
  })
})

describe('the multiplier is locked with the quote and the batch', () => {
  it('survives a restart with other multipliers: a quote and a batch made before keep theirs; new work takes the new one', async () => {
    const org = app.newOrg('5.00')
    const flexQuote = (await postQuote(app, org.auth, llamaBody('flex'))).body
    const before = await postBatch(app, org.auth, llamaBody('flex'), newKey('before'))
    expect(before.body.batch.sla_multiplier).toBe(0.95)

    await app.close()
    app = await startTestApp({ clock, scheduler: false, config: { ...CONFIG, fees: { slaMultiplierBps: { flex: 8_000 } } }, dataDir })
    expect((await json(app.request('/v1/pricing/fees'))).body.sla_multipliers).toEqual({ standard: 1, flex: 0.8, priority: 1.5 })

    const fromQuote = await postBatch(app, org.auth, { ...llamaBody('flex'), quote_id: flexQuote.quote_id }, newKey('quoted'))
    expect(fromQuote.status).toBe(202)
    expect(fromQuote.body.batch).toMatchObject({ sla_multiplier: 0.95, pricing_estimate: flexQuote.pricing_estimate })
    const fresh = await postBatch(app, org.auth, llamaBody('flex'), newKey('fresh'))
    expect(fresh.body.batch.sla_multiplier).toBe(0.8)
    expectPricedAt(fresh.body.batch.pricing_estimate, 0.8)
    expect(micros(fresh.body.batch.pricing_estimate.total)).toBeLessThan(micros(flexQuote.pricing_estimate.total))

    // The batch created before the restart is routed and settled at its own 0.95.
    expect((await driveToTerminal(app, clock, before.body.id)).status).toBe('completed')
    const lanes = app.deps.db.select().from(lanesTable).where(eq(lanesTable.batchId, before.body.id)).all()
    expect(lanes.map((l) => l.slaMultiplierBps)).toEqual([9_500])
    const { results } = await pageAllResults(app, org.auth, before.body.id)
    for (const r of results) {
      const atStandard = standardCost(r, lanes[0]!)
      expect(atStandard).toBeGreaterThan(100)
      expect(micros(r.cost.amount)).toBe(atStandard + Math.round(atStandard * -0.05) + 0)
    }
    const receipt = (await getJson(app, org.auth, `/v1/batches/${before.body.id}/billing-receipt`)).body.billing_receipt
    expect(receipt.pricing).toMatchObject({ sla_tier: 'flex', sla_multiplier: 0.95 })
  })
})
