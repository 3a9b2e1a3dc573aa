/**
 * POST /v1/batches for models whose providers are not configured on this router (no endpoint or
 * credential): refused at create with 400 no_eligible_lane — the same answer the quote gives —
 * and nothing stored, reserved or charged. Only temporary unavailability waits: an open circuit,
 * or an edge lane with no node online yet. The router runs outside demo mode, with only the
 * open-weight host configured (at an address nothing listens on: these batches are never run).
 */
import { afterAll, beforeAll, describe, expect, it } from 'bun:test'
import { FakeClock } from '../../../src/lib/clock'
import { newId } from '../../../src/lib/ids'
import { providerJobsTable } from '../../../src/features/dispatch/table'
import { json, startTestApp, type TestApp } from '../../helpers/test-app'
import { LLAMA, batchRow, chatItems, jsonl, newKey, postBatch, postQuote, reservationOfBatch, storeTrace, uploadJsonl } from '../../helpers/batch-helpers'

const clock = new FakeClock(Date.parse('2026-05-06T08:00:00.000Z'))
let app: TestApp

beforeAll(async () => {
  app = await startTestApp({ clock, scheduler: false, config: { catalog: { providers: [{ id: 'openhost', kind: 'openai-compatible', base_url: 'http://127.0.0.1:9/v1', api_key_env: '' }] } } })
})
afterAll(() => app.close())

const NOT_CONFIGURED = 'Provider openai is not configured on this router (no endpoint or credential); the operator must configure it before work can run there.'

describe('POST /v1/batches for a provider that is not configured', () => {
  it('answers 400 no_eligible_lane like the quote, with the rejections, storing and reserving nothing', async () => {
    const org = app.newOrg('2.00')
    const body = { items: chatItems(3, 'gpt-4o-mini', 'nokey') }
    const quote = await postQuote(app, org.auth, body)
    expect(quote.status).toBe(400)
    expect(quote.body.error.code).toBe('no_eligible_lane')

    const before = storeTrace(app)
    const res = await postBatch(app, org.auth, body, newKey('nokey'))
    expect(res.status).toBe(400)
    expect(res.body.error).toMatchObject({ code: 'no_eligible_lane', type: 'invalid_request_error' })
    expect(res.body.error.message).toContain('No lane can ever run 3 gpt-4o-mini responses items')
    expect(res.body.error.details.rejections).toEqual([{ model: 'gpt-4o-mini', operation: 'responses', provider: 'openai', offering_id: 'openai-batch-gpt-4o-mini', rejection_code: 'provider_unavailable', reason: NOT_CONFIGURED }])
    expect(res.body.error.details.rejections).toEqual(quote.body.error.details.rejections)
    expect(storeTrace(app)).toEqual(before)
    const account = (await json(app.request('/v1/auth/account', { headers: org.auth }))).body
    expect(account).toMatchObject({ credit_balance: '2.000000', reserved_balance: '0.000000' })

    // The same key can be used again once the request is fixed: nothing was recorded under it.
    const retry = await postBatch(app, org.auth, body, newKey('nokey'))
    expect(retry.status).toBe(400)
  })

  it('refuses the OpenAI shape too (the uploaded file stays, nothing else is stored)', async () => {
    const org = app.newOrg('2.00')
    const lines = [1, 2].map((i) => ({ custom_id: `r-${i}`, method: 'POST', url: '/v1/chat/completions', body: { model: 'claude-haiku-4-5', messages: [{ role: 'user', content: `hi ${i}` }] } }))
    const fileId = await uploadJsonl(app, org.auth, jsonl(lines))
    const before = storeTrace(app)
    const res = await json(app.request('/v1/batches', { method: 'POST', headers: { ...org.auth, 'content-type': 'application/json' }, body: JSON.stringify({ input_file_id: fileId, endpoint: '/v1/chat/completions', completion_window: '24h' }) }))
    expect(res.status).toBe(400)
    expect(res.body.error.code).toBe('no_eligible_lane')
    expect(res.body.error.details.rejections.map((r: any) => [r.offering_id, r.rejection_code])).toEqual([['anthropic-batch-claude-haiku-4-5', 'provider_unavailable']])
    expect(storeTrace(app)).toEqual(before)
  })

  it('refuses a batch mixing a configured model with an unconfigured one, naming only the group that can never run', async () => {
    const org = app.newOrg('2.00')
    const before = storeTrace(app)
    const res = await postBatch(app, org.auth, { items: [...chatItems(2, LLAMA, 'ok'), ...chatItems(1, 'gpt-4o-mini', 'no')] }, newKey('mixed'))
    expect(res.status).toBe(400)
    expect(res.body.error.code).toBe('no_eligible_lane')
    expect(res.body.error.message).toContain('1 gpt-4o-mini responses items')
    expect(res.body.error.message).not.toContain(LLAMA)
    expect(storeTrace(app)).toEqual(before)
  })
})

describe('POST /v1/batches when a lane is only temporarily unavailable', () => {
  it('accepts a batch for a configured provider (202), reserving its price', async () => {
    const org = app.newOrg('2.00')
    const res = await postBatch(app, org.auth, { items: chatItems(2, LLAMA, 'fine') }, newKey('fine'))
    expect(res.status).toBe(202)
    expect(reservationOfBatch(app, res.body.id)!.amount).toBe(Number(res.body.batch.pricing_estimate.total.replace('.', '')))
  })

  it('accepts restricted work while no restricted edge node is online: it waits queued for one', async () => {
    const org = app.newOrg('2.00')
    const res = await postBatch(app, org.auth, { items: chatItems(2, LLAMA, 'restricted'), privacy_tier: 'restricted' }, newKey('restricted'))
    expect(res.status).toBe(202)
    await app.runJob('route-batches')
    expect(batchRow(app, res.body.id)!.status).toBe('queued')
    expect(batchRow(app, res.body.id)!.lastError).toContain('Waiting for an eligible lane')
  })

  it('accepts a batch whose only provider has an open circuit: it waits queued until the circuit closes', async () => {
    const org = app.newOrg('2.00')
    const body = { items: chatItems(2, LLAMA, 'circuit'), provider_preferences: { only: ['openhost'] } }
    const first = await postBatch(app, org.auth, body, newKey('first'))
    expect(first.status).toBe(202)
    // Three failed provider jobs open openhost's circuit.
    for (let i = 0; i < 3; i++) {
      const at = clock.now() - i
      app.deps.db.insert(providerJobsTable).values({ id: newId('providerJob'), batchId: first.body.id, laneId: `lane_x${i}`, provider: 'openhost', offeringId: 'openhost-llama-3.1-8b-instruct', kind: 'openai-batch', status: 'failed', cause: 'provider_failed', itemCount: 1, createdAt: at, nextPollAt: at, endedAt: at }).run()
    }
    const quote = await postQuote(app, org.auth, body)
    expect(quote.status).toBe(400)
    expect(quote.body.error.details.rejections.find((r: any) => r.offering_id === 'openhost-llama-3.1-8b-instruct')).toMatchObject({ rejection_code: 'provider_unavailable', reason: 'Provider openhost is failing; its circuit is open until it recovers.' })
    const second = await postBatch(app, org.auth, body, newKey('second'))
    expect(second.status).toBe(202)
    await app.runJob('route-batches')
    expect(batchRow(app, second.body.id)!.status).toBe('queued')
  })
})
