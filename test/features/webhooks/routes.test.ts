/**
 * Webhook configuration at the edges: unsafe URLs refused at create time (preflight) and on the
 * org default, the operator allowlist, secrets never returned, and the delivery-log route with
 * its auth contract and paging.
 */
import { afterAll, beforeAll, describe, expect, it } from 'bun:test'
import { runAuthSuite } from '../../contract/auth-suite'
import { grantCredits } from '../../../src/features/credits/ledger'
import { json, startTestApp, type TestApp } from '../../helpers/test-app'
import { chatItems, newKey, postBatch, storeTrace } from '../../helpers/batch-helpers'
import { cancelAndFinalize, createBatch, LOOPBACK_WEBHOOKS } from './helpers'
import { enqueueBatchEventInTx } from '../../../src/features/webhooks/outbox'
import { batchRow } from '../../helpers/batch-helpers'
import { writeTx } from '../../../src/db/tx'

const SECRET = 'whsec_12345678'
const UNSAFE = [
  'http://example.com/hook',
  'https://localhost/hook',
  'https://127.0.0.1/hook',
  'https://2130706433/hook',
  'https://0x7f000001/hook',
  'https://[::1]/hook',
  'https://[::ffff:127.0.0.1]/hook',
  'https://169.254.169.254/latest/meta-data/',
  'https://10.1.2.3/hook',
  'https://100.64.0.1/hook',
  'https://[fd00::1]/hook',
  'https://example.com@127.0.0.1/hook',
  'https://user:pw@example.com/hook',
  'not a url',
]

describe('webhook URL checks at configuration time (strict operator config)', () => {
  let app: TestApp
  beforeAll(async () => {
    app = await startTestApp({ config: { demo: true } })
  })
  afterAll(() => app.close())

  for (const url of UNSAFE) {
    it(`POST /v1/batches answers 400 preflight_failed with unsafe_webhook_url for ${url}, storing nothing`, async () => {
      const org = app.newOrg('5.00')
      const before = storeTrace(app)
      const res = await postBatch(app, org.auth, { items: chatItems(1), webhook: { url, secret: SECRET } }, newKey())
      expect(res.status).toBe(400)
      expect(res.body.error.code).toBe('preflight_failed')
      expect(res.body.error.details.preflight).toContainEqual(expect.objectContaining({ code: 'unsafe_webhook_url', param: 'webhook.url' }))
      expect(storeTrace(app)).toEqual(before)
    })
  }

  for (const url of UNSAFE.filter((u) => u !== 'not a url')) {
    it(`PUT /v1/auth/account/delivery-webhook answers 400 unsafe_webhook_url for ${url}`, async () => {
      const org = app.newOrg()
      const res = await json(app.request('/v1/auth/account/delivery-webhook', { method: 'PUT', headers: { ...org.auth, 'content-type': 'application/json' }, body: JSON.stringify({ url, secret: SECRET }) }))
      expect(res.status).toBe(400)
      expect(res.body.error.code).toBe('unsafe_webhook_url')
    })
  }

  it('accepts a public https URL and never returns the secret', async () => {
    const org = app.newOrg('5.00')
    const secret = 'whsec_c2VjcmV0LXRoYXQtbXVzdC1ub3QtbGVhaw=='
    const res = await app.request('/v1/batches', { method: 'POST', headers: { ...org.auth, 'content-type': 'application/json', 'idempotency-key': newKey() }, body: JSON.stringify({ items: chatItems(1), webhook: { url: 'https://hooks.example.com/in', secret } }) })
    const text = await res.text()
    expect(res.status).toBe(202)
    expect(text).not.toContain(secret)
    expect(JSON.parse(text).batch.webhook).toEqual({ url: 'https://hooks.example.com/in', configured: true })
  })
})

describe('the operator allowlist (webhooks.allowHosts + allowHttp)', () => {
  let app: TestApp
  beforeAll(async () => {
    app = await startTestApp({ config: LOOPBACK_WEBHOOKS })
  })
  afterAll(() => app.close())

  it('lets webhooks point at allowlisted hosts over plain http, and nowhere else', async () => {
    const org = app.newOrg('5.00')
    expect((await postBatch(app, org.auth, { items: chatItems(1), webhook: { url: 'http://127.0.0.1:9/hook', secret: SECRET } }, newKey())).status).toBe(202)
    const put = (url: string) => json(app.request('/v1/auth/account/delivery-webhook', { method: 'PUT', headers: { ...org.auth, 'content-type': 'application/json' }, body: JSON.stringify({ url, secret: SECRET }) }))
    expect((await put('http://127.0.0.1:9/hook')).status).toBe(200)
    expect((await put('http://127.0.0.2:9/hook')).body.error.code).toBe('unsafe_webhook_url')
    expect((await put('http://example.com/hook')).body.error.code).toBe('unsafe_webhook_url')
  })
})

describe('GET /v1/batches/{id}/webhook-deliveries', () => {
  let app: TestApp
  beforeAll(async () => {
    app = await startTestApp({ config: LOOPBACK_WEBHOOKS, scheduler: false })
  })
  afterAll(() => app.close())

  it('answers an empty list for a batch without a webhook', async () => {
    const org = app.newOrg('5.00')
    const batchId = await createBatch(app, org.auth)
    await cancelAndFinalize(app, org.auth, batchId)
    const res = await json(app.request(`/v1/batches/${batchId}/webhook-deliveries`, { headers: org.auth }))
    expect(res.status).toBe(200)
    expect(res.body).toEqual({ object: 'list', data: [], first_id: null, last_id: null, has_more: false })
  })

  it('pages events oldest first with `after` and `limit`', async () => {
    const org = app.newOrg('5.00')
    const batchId = await createBatch(app, org.auth, { url: 'http://127.0.0.1:9/hook', secret: SECRET })
    const row = batchRow(app, batchId)!
    const ids = [0, 1, 2].map((i) => writeTx(app.deps.db, () => enqueueBatchEventInTx(app.deps, row, 'batch.progress', app.deps.clock.now() + i))!)
    const page = (q: string) => json(app.request(`/v1/batches/${batchId}/webhook-deliveries?${q}`, { headers: org.auth }))
    const first = await page('limit=2')
    expect(first.body.data.map((d: { id: string }) => d.id)).toEqual(ids.slice(0, 2))
    expect(first.body.has_more).toBe(true)
    const second = await page(`limit=2&after=${first.body.last_id}`)
    expect(second.body.data.map((d: { id: string }) => d.id)).toEqual(ids.slice(2))
    expect(second.body.has_more).toBe(false)
    expect(second.body.data[0]).toMatchObject({ state: 'pending', attempt_count: 0, attempts: [], next_attempt_at: expect.any(String) })
  })
})

runAuthSuite('GET /v1/batches/{id}/webhook-deliveries', {
  method: 'GET',
  appOptions: { config: { demo: true }, scheduler: false },
  path: async (app, org) => {
    grantCredits(app.deps, { orgId: org.orgId, amount: 5_000_000, reference: `suite-${crypto.randomUUID()}` })
    return `/v1/batches/${await createBatch(app, org.auth)}/webhook-deliveries`
  },
})
