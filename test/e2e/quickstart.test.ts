/**
 * The public quickstart, step by step, against a demo appliance over real HTTP: register, quote,
 * create (idempotently), poll, page results, download the signed artifact, read the billing
 * receipt — and cross-check every money figure against the ledger in the database.
 */
import { afterAll, beforeAll, describe, expect, it } from 'bun:test'
import { eq } from 'drizzle-orm'
import { batchesTable } from '../../src/features/batches/table'
import { reservationsTable } from '../../src/features/credits/table'
import { json, startTestApp, type TestApp } from '../helpers/test-app'
import { chatItems, getJson, ledgerOfOrg, ledgerSums, micros, pageAllResults, postBatch, postQuote, waitForTerminal } from '../helpers/batch-helpers'

const ITEM_COUNT = 25
const items = chatItems(ITEM_COUNT, 'gpt-4o-mini', 'qs')
const ids = items.map((i) => i.customer_item_id as string)

let app: TestApp
let auth: Record<string, string>
let orgId: string
let quote: any
let batchId: string
let final: any

beforeAll(async () => {
  app = await startTestApp({ config: { demo: true, tickMs: 100, startingCredit: '5.00' } })
})
afterAll(() => app.close())

describe('quickstart', () => {
  it('1. registers an agent (201) with the starting credit and a key shown once', async () => {
    const { status, body } = await json(app.request('/v1/auth/agent-register', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ agent_name: 'quickstart-agent' }) }))
    expect(status).toBe(201)
    expect(body.api_key).toMatch(/^br_live_[0-9A-Za-z]{32,}$/)
    expect(body.org_id).toMatch(/^org_/)
    expect(body.credit_balance).toBe('5.000000')
    auth = { authorization: `Bearer ${body.api_key}` }
    orgId = body.org_id
    const account = await getJson(app, auth, '/v1/auth/account')
    expect(account.status).toBe(200)
    expect(account.body).toMatchObject({ org_id: orgId, credit_balance: '5.000000', reserved_balance: '0.000000', currency: 'usd' })
  })

  it('2. quotes 25 items and locks the rates (qlock_ id, can fund)', async () => {
    const { status, body } = await postQuote(app, auth, { items })
    expect(status).toBe(200)
    expect(body.quote_id).toMatch(/^qlock_/)
    expect(body.item_count).toBe(ITEM_COUNT)
    expect(body.funding_preview.can_fund).toBe(true)
    expect(micros(body.pricing_estimate.total)).toBeGreaterThan(0)
    quote = body
  })

  it('3. creates the batch with Idempotency-Key and quote_id: 202 validating / pending', async () => {
    const { status, body } = await postBatch(app, auth, { items, quote_id: quote.quote_id }, 'quickstart-key-0001')
    expect(status).toBe(202)
    expect(body.id).toMatch(/^bat_/)
    expect(body.object).toBe('batch')
    expect(body.status).toBe('validating')
    expect(body.batch.status).toBe('pending')
    expect(body.batch.item_count).toBe(ITEM_COUNT)
    expect(body.batch.quote_id).toBe(quote.quote_id)
    expect(body.request_counts.total).toBe(ITEM_COUNT)
    // One snapshot of the accepted batch: nothing routed or running yet.
    expect(body.batch.counts).toMatchObject({ total: ITEM_COUNT, pending: ITEM_COUNT, running: 0, completed: 0 })
    expect(body.batch.lanes).toEqual([])
    expect(micros(body.batch.pricing_estimate.total)).toBeGreaterThan(0)
    batchId = body.id
  })

  it('4. the same request with the same key replays the batch: same id, 202, one batch row, one reservation', async () => {
    const { status, body } = await postBatch(app, auth, { items, quote_id: quote.quote_id }, 'quickstart-key-0001')
    expect(status).toBe(202)
    expect(body.id).toBe(batchId)
    const batches = app.deps.db.select().from(batchesTable).where(eq(batchesTable.orgId, orgId)).all()
    expect(batches.map((b) => b.id)).toEqual([batchId])
    const reservations = app.deps.db.select().from(reservationsTable).where(eq(reservationsTable.orgId, orgId)).all()
    expect(reservations).toHaveLength(1)
    expect(ledgerOfOrg(app, orgId).filter((e) => e.kind === 'reserve')).toHaveLength(1)
  })

  it('5. polls GET /v1/batches/{id} until completed with every item done', async () => {
    final = await waitForTerminal(app, auth, batchId)
    expect(final.batch.status).toBe('completed')
    expect(final.status).toBe('completed')
    expect(final.request_counts).toEqual({ total: ITEM_COUNT, completed: ITEM_COUNT, failed: 0 })
    expect(final.batch.progress).toBe(1)
    expect(final.output_file_id).toMatch(/^file_/)
    expect(final.error_file_id).toBeNull()
    expect(typeof final.completed_at).toBe('number')
  })

  it('6. pages results 10 at a time: 3 pages chained by next_cursor, input order, every item once', async () => {
    const { pages, results } = await pageAllResults(app, auth, batchId, 10)
    expect(pages.map((p) => p.results.length)).toEqual([10, 10, 5])
    expect(pages.map((p) => p.has_more)).toEqual([true, true, false])
    expect(pages[2].next_cursor).toBeNull()
    expect(pages[0].next_cursor).not.toBe(pages[1].next_cursor)
    expect(results.map((r) => r.customer_item_id)).toEqual(ids)
    for (const r of results) {
      expect(r.status).toBe('completed')
      expect(r.custom_id).toBe(r.customer_item_id)
      expect(r.error).toBeNull()
      expect(r.output.object).toBe('chat.completion')
      expect(typeof r.output.choices[0].message.content).toBe('string')
      expect(micros(r.cost.amount)).toBeGreaterThan(0)
    }
  })

  it('7. downloads the results artifact through a signed URL without a bearer key: 25 JSONL lines, one per item', async () => {
    const link = await getJson(app, auth, `/v1/batches/${batchId}/artifact-url`)
    expect(link.status).toBe(200)
    expect(link.body.url).toStartWith(`${app.url}/v1/artifacts/`)
    expect(Date.parse(link.body.expires_at) - Date.now()).toBeGreaterThan(14 * 60 * 1000)
    const download = await fetch(link.body.url)
    expect(download.status).toBe(200)
    const lines = (await download.text()).split('\n').filter((l) => l !== '')
    expect(lines).toHaveLength(ITEM_COUNT)
    const parsed = lines.map((l) => JSON.parse(l))
    expect(parsed.map((r) => r.customer_item_id)).toEqual(ids)
    expect(parsed.every((r) => r.status === 'completed')).toBe(true)
  })

  it('8. a tampered artifact token answers 403 invalid_signature in the JSON envelope', async () => {
    const { url } = (await getJson(app, auth, `/v1/batches/${batchId}/artifact-url`)).body as { url: string }
    const token = url.slice(url.lastIndexOf('/') + 1)
    const [header, payload, signature] = token.split('.') as [string, string, string]
    const mid = Math.floor(signature.length / 2)
    const flipped = signature.slice(0, mid) + (signature[mid] === 'A' ? 'B' : 'A') + signature.slice(mid + 1)
    const forgedPayload = Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(payload, 'base64url').toString()), kind: 'receipt' })).toString('base64url')
    for (const bad of [`${header}.${payload}.${flipped}`, `${header}.${forgedPayload}.${signature}`, 'not-a-token']) {
      const res = await json(fetch(`${app.url}/v1/artifacts/${bad}`))
      expect(res.status).toBe(403)
      expect(res.body.error).toMatchObject({ code: 'invalid_signature', type: 'permission_error' })
      expect(res.body.error.request_id).toMatch(/^req_/)
      expect(typeof res.body.error.message).toBe('string')
    }
  })

  it('9. the billing receipt balances: reserved = charged + released, settled, charged = Σ result costs ≤ reserved', async () => {
    const receipt = await getJson(app, auth, `/v1/batches/${batchId}/billing-receipt`)
    expect(receipt.status).toBe(200)
    const credits = receipt.body.billing_receipt.credits
    expect(credits.reservation_status).toBe('settled')
    expect(credits.reservation_id).toMatch(/^cres_/)
    const reserved = micros(credits.reserved.amount)
    const charged = micros(credits.charged.amount)
    const released = micros(credits.released.amount)
    expect(reserved).toBe(charged + released)
    expect(charged).toBeLessThanOrEqual(reserved)
    expect(charged).toBeGreaterThan(0)
    expect(charged).toBeLessThanOrEqual(micros(quote.pricing_estimate.total))

    const inline = await getJson(app, auth, `/v1/batches/${batchId}?include_billing_receipt=true`)
    expect(inline.body.batch.billing_receipt).toEqual(receipt.body.billing_receipt)
    expect(micros(inline.body.batch.cost_so_far.amount)).toBe(charged)
    const plain = await getJson(app, auth, `/v1/batches/${batchId}`)
    expect(plain.body.batch.billing_receipt).toBeUndefined()

    const { results } = await pageAllResults(app, auth, batchId, 100)
    expect(results.reduce((a, r) => a + micros(r.cost.amount), 0)).toBe(charged)

    // The ledger in the database agrees with the receipt.
    const sums = ledgerSums(app, credits.reservation_id)
    expect(sums.reserve).toBe(reserved)
    expect(sums.reserve).toBe(sums.charge + sums.release)
    expect(sums.charge).toBe(charged)
    expect(sums.release).toBe(released)
  })

  it('10. the account balance is grants − charges once settled, with nothing left reserved', async () => {
    const entries = ledgerOfOrg(app, orgId)
    const grants = entries.filter((e) => e.kind === 'grant').reduce((a, e) => a + e.amount, 0)
    const charges = entries.filter((e) => e.kind === 'charge').reduce((a, e) => a + e.amount, 0)
    expect(grants).toBe(5_000_000)
    const account = await getJson(app, auth, '/v1/auth/account')
    expect(micros(account.body.credit_balance)).toBe(grants - charges)
    expect(account.body.reserved_balance).toBe('0.000000')
  })
})
