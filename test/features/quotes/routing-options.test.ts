/**
 * POST /v1/quotes/model routing options beyond the defaults: a `models` list (the cheapest
 * eligible listed model wins, and a batch from the quote runs there), unknown list entries,
 * max_price on the whole request, and the quote parameters a batch must repeat.
 */
import { afterAll, beforeAll, describe, expect, it } from 'bun:test'
import { FakeClock } from '../../../src/lib/clock'
import { startTestApp, type TestApp } from '../../helpers/test-app'
import { chatItems, driveToTerminal, micros, newKey, pageAllResults, postBatch, postQuote, resetSim, simStats } from '../../helpers/batch-helpers'

const clock = new FakeClock(Date.parse('2026-04-01T09:00:00.000Z'))
let app: TestApp

beforeAll(async () => {
  app = await startTestApp({ clock, scheduler: false, config: { demo: true } })
})
afterAll(() => app.close())

describe('POST /v1/quotes/model with a models list', () => {
  it('moves listed items to the cheapest eligible listed model, and the batch runs them there', async () => {
    const org = app.newOrg('2.00')
    const body = { items: chatItems(3, 'gpt-4o-mini'), models: ['gpt-4o-mini', 'meta-llama/Llama-3.1-8B-Instruct'] }
    const q = await postQuote(app, org.auth, body)
    expect(q.status).toBe(200)
    const selected = q.body.quote_lanes.filter((l: any) => l.selected)
    expect(selected.map((l: any) => [l.offering_id, l.model, l.item_count])).toEqual([['edge-llama-3.1-8b-instruct', 'llama-3.1-8b-instruct', 3]])
    expect(selected[0].reason).toContain('listed in models')
    const gpt = q.body.quote_lanes.find((l: any) => l.offering_id === 'openai-batch-gpt-4o-mini')
    expect(gpt).toMatchObject({ selected: false, rejection_code: null })
    expect(micros(gpt.price.total)).toBeGreaterThan(micros(selected[0].price.total))

    await resetSim(app)
    const created = await postBatch(app, org.auth, { ...body, models: ['gpt-4o-mini', 'llama-3.1-8b-instruct'], quote_id: q.body.quote_id }, newKey('models'))
    expect(created.status).toBe(202)
    expect((await driveToTerminal(app, clock, created.body.id)).status).toBe('completed')
    const { results } = await pageAllResults(app, org.auth, created.body.id)
    expect(results.map((r: any) => [r.status, r.model, r.offering_id])).toEqual(Array(3).fill(['completed', 'llama-3.1-8b-instruct', 'edge-llama-3.1-8b-instruct']))
    const stats = await simStats(app)
    expect(stats.by_model['llama-3.1-8b-instruct']).toBe(3)
    expect(stats.by_model['gpt-4o-mini']).toBeUndefined()
  })

  it('answers 400 preflight_failed naming an unknown models entry', async () => {
    const org = app.newOrg('1.00')
    const res = await postQuote(app, org.auth, { items: chatItems(1), models: ['gpt-4o-mini', 'gpt-9'] })
    expect(res.status).toBe(400)
    expect(res.body.error.code).toBe('preflight_failed')
    expect(res.body.error.details.preflight[0]).toMatchObject({ code: 'unknown_model', param: 'models[1]' })
  })

  it('answers 400 quote_mismatch when the batch sends another models list than its quote', async () => {
    const org = app.newOrg('1.00')
    const q = await postQuote(app, org.auth, { items: chatItems(1), models: ['gpt-4o-mini', 'claude-3-5-haiku'] })
    const res = await postBatch(app, org.auth, { items: chatItems(1), quote_id: q.body.quote_id }, newKey('mismatch'))
    expect(res.status).toBe(400)
    expect(res.body.error).toMatchObject({ code: 'quote_mismatch', param: 'models' })
  })
})

describe('POST /v1/quotes/model with max_price', () => {
  it('refuses a quote whose total exceeds max_price even though every lane is under it', async () => {
    const org = app.newOrg('1.00')
    const items = [...chatItems(2, 'gpt-4o-mini', 'a'), ...chatItems(2, 'claude-3-5-haiku', 'b')]
    const free = await postQuote(app, org.auth, { items })
    const lanes = free.body.quote_lanes.filter((l: any) => l.selected).map((l: any) => micros(l.price.total))
    const max = Math.max(...lanes) + 1
    expect(max).toBeLessThan(micros(free.body.pricing_estimate.total))
    const amount = (max / 1e6).toFixed(6)
    const res = await postQuote(app, org.auth, { items, max_price: { currency: 'usd', amount } })
    expect(res.status).toBe(400)
    expect(res.body.error).toMatchObject({ code: 'validation_failed', param: 'max_price' })
    const created = await postBatch(app, org.auth, { items, max_price: amount }, newKey('maxprice'))
    expect(created.status).toBe(400)
    expect(created.body.error).toMatchObject({ code: 'validation_failed', param: 'max_price' })
  })

  it('rejects lanes above max_price as price_above_max and picks one under it', async () => {
    const org = app.newOrg('1.00')
    const items = chatItems(2, 'llama-3.1-8b-instruct')
    const free = await postQuote(app, org.auth, { items, routing_mode: 'public_only' })
    const openhost = micros(free.body.quote_lanes.find((l: any) => l.offering_id === 'openhost-llama-3.1-8b-instruct').price.total)
    const res = await postQuote(app, org.auth, { items, routing_mode: 'hybrid', max_price: ((openhost - 1) / 1e6).toFixed(6) })
    expect(res.status).toBe(200)
    const byId = Object.fromEntries(res.body.quote_lanes.map((l: any) => [l.offering_id, l]))
    expect(byId['openhost-llama-3.1-8b-instruct'].rejection_code).toBe('price_above_max')
    expect(byId['edge-llama-3.1-8b-instruct'].selected).toBe(true)
  })
})
