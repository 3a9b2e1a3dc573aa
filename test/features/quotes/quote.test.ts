/**
 * POST /v1/quotes/model (and its alias POST /v1/batches/quote): the contract §4 shape, money
 * formatting, the funding preview, that a quote never moves credit, alias resolution, and the
 * 400 no_eligible_lane refusal when nothing can run.
 */
import { afterAll, beforeAll, describe, expect, it } from 'bun:test'
import { eq } from 'drizzle-orm'
import { FakeClock } from '../../../src/lib/clock'
import { quotesTable } from '../../../src/features/quotes/table'
import { json, startTestApp, type TestApp } from '../../helpers/test-app'
import { chatItem, chatItems, embeddingItem, ledgerOfOrg, micros, postQuote, storeTrace } from '../../helpers/batch-helpers'

const MONEY = /^\d+\.\d{6}$/
const clock = new FakeClock(Date.parse('2026-03-01T12:00:00.000Z'))
let app: TestApp

beforeAll(async () => {
  app = await startTestApp({ clock, scheduler: false, config: { demo: true } })
})
afterAll(() => app.close())

function expectMoney(...values: string[]) {
  for (const v of values) expect(v).toMatch(MONEY)
}

describe('POST /v1/quotes/model', () => {
  it('answers every field of contract §4, with 6-decimal money strings that add up', async () => {
    const org = app.newOrg('1.00')
    const { status, body: q } = await postQuote(app, org.auth, { items: chatItems(4) })
    expect(status).toBe(200)
    expect(q.quote_id).toMatch(/^qlock_[0-9A-Za-z]+$/)
    expect(q.valid_until).toBe(new Date(clock.now() + 10 * 60 * 1000).toISOString())
    expect(q.sla_deadline).toBe(new Date(clock.now() + 24 * 3600 * 1000).toISOString())
    expect(q).toMatchObject({ item_count: 4, sla_tier: 'standard', routing_mode: 'cheapest', privacy_tier: 'standard' })
    expect(q.estimated_input_tokens).toBeGreaterThan(0)
    expect(q.estimated_output_tokens).toBe(4 * 1024) // the model's default output without max_tokens

    const p = q.pricing_estimate
    expect(p.currency).toBe('usd')
    expectMoney(p.provider_subtotal, p.batchrouter_fee, p.customer_discount, p.total)
    expect(micros(p.total)).toBe(micros(p.provider_subtotal) + micros(p.batchrouter_fee) - micros(p.customer_discount))
    expect(micros(p.batchrouter_fee)).toBe(Math.round(micros(p.provider_subtotal) * 0.059))
    // The standard tier is priced at ×1: its adjustment is zero.
    expect([q.sla_multiplier, p.sla_adjustment]).toEqual([1, '0.000000'])

    expect(q.quote_lanes.length).toBeGreaterThanOrEqual(1)
    for (const lane of q.quote_lanes) {
      expect(Object.keys(lane).sort()).toEqual(['allocation_percent', 'estimated_completion_seconds', 'fallback_order', 'item_count', 'lane_id', 'lane_kind', 'model', 'offering_id', 'operation', 'price', 'provider', 'rank', 'rates', 'reason', 'rejection_code', 'selected'].sort())
      expect(lane.lane_id).toMatch(/^lane_/)
      expect(['public', 'edge']).toContain(lane.lane_kind)
      expect(lane.price.currency).toBe('usd')
      expectMoney(lane.price.provider_subtotal, lane.price.batchrouter_fee, lane.price.total, lane.rates.input_per_1m, lane.rates.output_per_1m)
      expect(Array.isArray(lane.fallback_order)).toBe(true)
      expect(typeof lane.reason).toBe('string')
    }
    const chosen = q.quote_lanes.filter((l: any) => l.selected)
    expect(chosen).toHaveLength(1)
    expect(chosen[0]).toMatchObject({ model: 'gpt-4o-mini', operation: 'responses', offering_id: 'openai-batch-gpt-4o-mini', rank: 1, item_count: 4, allocation_percent: 100, rejection_code: null, rates: { input_per_1m: '0.075000', output_per_1m: '0.300000' } })
    expect(chosen[0].price.total).toBe(p.total)

    const e = q.customer_explanation
    expect(e.lane_mode).toBe('single_lane')
    expect(e.selected_lanes).toEqual([chosen[0].lane_id])
    expect(e.rejected_lanes).toEqual([])
    expect(e.summary).toContain('gpt-4o-mini')
    expect(typeof e.fallback_behavior).toBe('string')

    expect(q.funding_preview).toEqual({ available: '1.000000', reservation_amount: p.total, can_fund: true, shortfall: '0.000000' })
  })

  it('previews funding: can_fund false with the shortfall when the balance is 0', async () => {
    const org = app.newOrg()
    const { status, body } = await postQuote(app, org.auth, { items: chatItems(3) })
    expect(status).toBe(200)
    const f = body.funding_preview
    expect(f.available).toBe('0.000000')
    expect(f.can_fund).toBe(false)
    expect(micros(f.shortfall)).toBe(micros(f.reservation_amount))
    expect(micros(f.shortfall)).toBeGreaterThan(0)
  })

  it('never reserves or charges: the ledger and reservations are unchanged, only the quote is stored', async () => {
    const org = app.newOrg('2.00')
    const ledgerBefore = ledgerOfOrg(app, org.orgId)
    const before = storeTrace(app)
    const first = await postQuote(app, org.auth, { items: chatItems(10) })
    const second = await json(app.request('/v1/batches/quote', { method: 'POST', headers: { ...org.auth, 'content-type': 'application/json' }, body: JSON.stringify({ items: chatItems(10) }) }))
    expect([first.status, second.status]).toEqual([200, 200])
    expect(second.body.pricing_estimate).toEqual(first.body.pricing_estimate)
    expect(second.body.quote_id).not.toBe(first.body.quote_id)
    expect(ledgerOfOrg(app, org.orgId)).toEqual(ledgerBefore)
    expect(storeTrace(app)).toEqual({ ...before, quotes: before.quotes + 2 })
    const account = (await json(app.request('/v1/auth/account', { headers: org.auth }))).body
    expect(account).toMatchObject({ credit_balance: '2.000000', reserved_balance: '0.000000' })
    const row = app.deps.db.select().from(quotesTable).where(eq(quotesTable.id, first.body.quote_id)).get()!
    expect(row.orgId).toBe(org.orgId)
    expect(row.validUntil).toBe(clock.now() + 10 * 60 * 1000)
  })

  it('follows the SLA tier in sla_deadline (flex 48 h, priority 1 h)', async () => {
    const org = app.newOrg()
    const flex = await postQuote(app, org.auth, { items: chatItems(1), sla_tier: 'flex' })
    expect(flex.body.sla_deadline).toBe(new Date(clock.now() + 48 * 3600 * 1000).toISOString())
    const priority = await postQuote(app, org.auth, { items: chatItems(1, 'claude-haiku-4-5'), sla_tier: 'priority' })
    expect(priority.status).toBe(200)
    expect(priority.body.sla_deadline).toBe(new Date(clock.now() + 3600 * 1000).toISOString())
  })

  it('resolves a model alias to its catalog slug', async () => {
    const org = app.newOrg()
    const { status, body } = await postQuote(app, org.auth, { items: [chatItem('a', 'gpt-4o-mini-2024-07-18'), chatItem('b', 'claude-haiku-4-5-20251001')] })
    expect(status).toBe(200)
    const chosen = body.quote_lanes.filter((l: any) => l.selected).map((l: any) => [l.model, l.item_count])
    expect(chosen).toEqual([['gpt-4o-mini', 1], ['claude-haiku-4-5', 1]])
    expect(body.customer_explanation.lane_mode).toBe('multi_lane')
    expect(body.customer_explanation.selected_lanes).toHaveLength(2)
  })

  it('explains rejected lanes and picks the edge lane for restricted work', async () => {
    const org = app.newOrg()
    const { status, body } = await postQuote(app, org.auth, { items: chatItems(2, 'llama-3.1-8b-instruct'), privacy_tier: 'restricted' })
    expect(status).toBe(200)
    const lanes = Object.fromEntries(body.quote_lanes.map((l: any) => [l.offering_id, l]))
    expect(lanes['edge-llama-3.1-8b-instruct']).toMatchObject({ selected: true, lane_kind: 'edge', rejection_code: null })
    expect(lanes['openhost-llama-3.1-8b-instruct']).toMatchObject({ selected: false, rank: null, rejection_code: 'privacy_tier_mismatch' })
    expect(body.customer_explanation.rejected_lanes).toEqual([{ lane_id: lanes['openhost-llama-3.1-8b-instruct'].lane_id, offering_id: 'openhost-llama-3.1-8b-instruct', rejection_code: 'privacy_tier_mismatch', reason: expect.any(String) }])
  })

  it('still answers 200 when only some models can run, pricing what can and naming what cannot', async () => {
    const org = app.newOrg()
    const { status, body } = await postQuote(app, org.auth, { items: [...chatItems(2, 'llama-3.1-8b-instruct'), chatItem('gpt', 'gpt-4o-mini')], privacy_tier: 'restricted' })
    expect(status).toBe(200)
    expect(body.customer_explanation.unroutable).toMatchObject([{ code: 'no_eligible_lane', model: 'gpt-4o-mini', operation: 'responses' }])
    const edge = body.quote_lanes.find((l: any) => l.selected)
    expect(body.pricing_estimate.total).toBe(edge.price.total)
    expect(body.quote_lanes.filter((l: any) => l.model === 'gpt-4o-mini').every((l: any) => l.rejection_code === 'privacy_tier_mismatch')).toBe(true)
  })

  const refusals: [string, Record<string, unknown>, string][] = [
    ['restricted work for a model without an edge lane', { items: chatItems(2), privacy_tier: 'restricted' }, 'privacy_tier_mismatch'],
    ['priority work for a model whose only lane takes 6 h', { items: chatItems(2), sla_tier: 'priority' }, 'sla_unachievable'],
    ['embeddings limited to a region no lane runs in', { items: [embeddingItem('e')], allowed_regions: ['ap-south'] }, 'region_not_allowed'],
    ['a max_price below every lane', { items: chatItems(50), max_price: '0.000001' }, 'price_above_max'],
  ]
  for (const [name, body, code] of refusals) {
    it(`answers 400 no_eligible_lane with details.rejections for ${name}`, async () => {
      const org = app.newOrg('1.00')
      const before = storeTrace(app)
      const res = await postQuote(app, org.auth, body)
      expect(res.status).toBe(400)
      expect(res.body.error).toMatchObject({ code: 'no_eligible_lane', type: 'invalid_request_error' })
      expect(res.body.error.request_id).toMatch(/^req_/)
      const rejections = res.body.error.details.rejections as any[]
      expect(rejections.length).toBeGreaterThan(0)
      for (const r of rejections) {
        expect(r.rejection_code).toBe(code)
        expect(typeof r.offering_id).toBe('string')
        expect(typeof r.reason).toBe('string')
      }
      expect(storeTrace(app)).toEqual(before)
    })
  }

  it('`models`: items whose model is listed run on the cheapest eligible listed model', async () => {
    const org = app.newOrg()
    const cheapest = await postQuote(app, org.auth, { items: chatItems(3), models: ['gpt-4o-mini', 'llama-3.1-8b-instruct'] })
    expect(cheapest.status).toBe(200)
    const lanes = cheapest.body.quote_lanes as any[]
    expect(lanes.filter((l) => l.selected).map((l) => [l.model, l.item_count])).toEqual([['llama-3.1-8b-instruct', 3]])
    expect(lanes.find((l) => l.model === 'gpt-4o-mini')).toMatchObject({ selected: false, rejection_code: null })
    expect(micros(cheapest.body.pricing_estimate.total)).toBeLessThan(micros((await postQuote(app, org.auth, { items: chatItems(3) })).body.pricing_estimate.total))

    const confidential = await postQuote(app, org.auth, { items: chatItems(3), models: ['gpt-4o-mini', 'claude-haiku-4-5'], privacy_tier: 'confidential' })
    expect(confidential.status).toBe(200)
    const picked = (confidential.body.quote_lanes as any[]).filter((l) => l.selected)
    expect(picked.map((l) => l.model)).toEqual(['claude-haiku-4-5'])
    expect((confidential.body.quote_lanes as any[]).find((l) => l.model === 'gpt-4o-mini').rejection_code).toBe('privacy_tier_mismatch')
  })
})
