/**
 * End to end on loopback: every terminal event reaches the receiver exactly once, and the
 * receiver verifies both signatures with code independent of ours — node:crypto for
 * X-BatchRouter-Signature, the `standardwebhooks` package and the openai SDK's
 * `webhooks.unwrap()` for the Standard Webhooks headers. Real clock (the verifiers check the
 * timestamp against Date.now()), jobs driven by hand.
 */
import { afterAll, beforeAll, describe, expect, it } from 'bun:test'
import { createHmac, timingSafeEqual } from 'node:crypto'
import { Webhook } from 'standardwebhooks'
import OpenAI from 'openai'
import { json, startTestApp, type TestApp } from '../../helpers/test-app'
import { batchRow } from '../../helpers/batch-helpers'
import { cancelAndFinalize, createBatch, failAndFinalize, LOOPBACK_WEBHOOKS, runToCompletion, setOrgWebhook, startReceiver, type Received } from './helpers'

const BATCH_SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw'
const ORG_SECRET = 'org-plain-secret-1234'

/** X-BatchRouter-Signature: hex HMAC-SHA256 of the raw body, keyed with the secret string. */
function verifyHex(r: Received, secret: string): boolean {
  const expected = createHmac('sha256', secret).update(r.body).digest()
  const given = Buffer.from(r.headers['x-batchrouter-signature'] ?? '', 'hex')
  return given.length === expected.length && timingSafeEqual(given, expected)
}

/** The Standard Webhooks key: `whsec_` secrets are base64, others are used as UTF-8 bytes. */
function standardWebhook(secret: string): Webhook {
  return secret.startsWith('whsec_') ? new Webhook(secret) : new Webhook(new TextEncoder().encode(secret), { format: 'raw' })
}

const openai = new OpenAI({ apiKey: 'not-used', baseURL: 'http://127.0.0.1:9/v1' })

describe('webhook delivery to a loopback receiver', () => {
  let app: TestApp
  const receiver = startReceiver()
  const ids: Record<string, string> = {}
  let auth: Record<string, string>

  beforeAll(async () => {
    app = await startTestApp({ config: LOOPBACK_WEBHOOKS, scheduler: false })
    const org = app.newOrg('10.00')
    auth = org.auth
    await setOrgWebhook(app, org.auth, { url: receiver.url('/org'), secret: ORG_SECRET })
    // One batch at a time: the jobs run over every batch of the app.
    ids.expired = await createBatch(app, org.auth)
    await app.runJob('expire-batches', Date.now() + 3 * 24 * 3600 * 1000)
    await app.runJob('finalize-batches')
    ids.cancelled = await createBatch(app, org.auth)
    await cancelAndFinalize(app, org.auth, ids.cancelled)
    ids.failed = await createBatch(app, org.auth)
    await failAndFinalize(app, ids.failed)
    ids.completed = await createBatch(app, org.auth, { url: receiver.url('/batch'), secret: BATCH_SECRET })
    await runToCompletion(app, ids.completed)
    for (const [status, id] of Object.entries(ids)) expect(String(batchRow(app, id)?.status)).toBe(status)
    await app.runJob('deliver-webhooks')
    await app.runJob('deliver-webhooks') // nothing is due any more
  })
  afterAll(async () => {
    await app.close()
    receiver.stop()
  })

  const bodyOf = (r: Received) => JSON.parse(r.body)
  const deliveryFor = (batchId: string) => receiver.received.filter((r) => bodyOf(r).data.batch_id === batchId)

  it('delivers exactly one event per terminal batch, to the per-batch webhook over the org default', () => {
    expect(receiver.received).toHaveLength(4)
    for (const [status, id] of Object.entries(ids)) {
      const got = deliveryFor(id)
      expect(got).toHaveLength(1)
      expect(bodyOf(got[0]!).type).toBe(`batch.${status}`)
      expect(got[0]!.path).toBe(status === 'completed' ? '/batch' : '/org')
    }
  })

  it('signs every delivery so node:crypto, standardwebhooks and openai webhooks.unwrap() all verify it', async () => {
    for (const r of receiver.received) {
      const secret = r.path === '/batch' ? BATCH_SECRET : ORG_SECRET
      expect(verifyHex(r, secret)).toBe(true)
      expect(standardWebhook(secret).verify(r.body, r.headers)).toEqual(bodyOf(r))
      const event = await openai.webhooks.unwrap(r.body, r.headers, secret)
      expect(event.id).toBe(r.headers['webhook-id']!)
      expect(event.type).toBe(bodyOf(r).type)
    }
  })

  it('fails every verifier for a tampered body or the wrong secret', async () => {
    const r = deliveryFor(ids.completed!)[0]!
    const tampered = { ...r, body: r.body.replace('"completed"', '"cancelled"') }
    expect(verifyHex(tampered, BATCH_SECRET)).toBe(false)
    expect(() => standardWebhook(BATCH_SECRET).verify(tampered.body, tampered.headers)).toThrow()
    await expect(openai.webhooks.unwrap(tampered.body, tampered.headers, BATCH_SECRET)).rejects.toThrow()
    expect(verifyHex(r, ORG_SECRET)).toBe(false)
    expect(() => standardWebhook(ORG_SECRET).verify(r.body, r.headers)).toThrow()
  })

  it('sends the body of contract §7, with a working artifact link', async () => {
    const r = deliveryFor(ids.completed!)[0]!
    const body = bodyOf(r)
    expect(body).toMatchObject({ object: 'event', type: 'batch.completed', data: { id: ids.completed, batch_id: ids.completed, status: 'completed', openai_status: 'completed', request_counts: { total: 2, completed: 2, failed: 0 } } })
    expect(body.id).toMatch(/^evt_/)
    expect(body.id).toBe(r.headers['webhook-id'])
    expect(Number.isInteger(body.created_at)).toBe(true)
    expect(body.data.cost).toEqual({ currency: 'usd', amount: expect.stringMatching(/^\d+\.\d{6}$/) })
    expect(body.data.output_file_id).toMatch(/^file_/)
    expect(body.data.error_file_id).toBeNull()
    const artifact = await fetch(body.data.artifact_url)
    expect(artifact.status).toBe(200)
    expect((await artifact.text()).trim().split('\n')).toHaveLength(2)
    const cancelled = bodyOf(deliveryFor(ids.cancelled!)[0]!)
    expect(cancelled.data).toMatchObject({ status: 'cancelled', openai_status: 'cancelled', request_counts: { total: 2, completed: 0, failed: 2 } })
    expect(r.headers['content-type']).toBe('application/json')
  })

  it('lists the delivery with its attempt and never shows the secret', async () => {
    const res = await app.request(`/v1/batches/${ids.completed}/webhook-deliveries`, { headers: auth })
    const text = await res.text()
    expect(res.status).toBe(200)
    expect(text).not.toContain(BATCH_SECRET)
    const list = JSON.parse(text)
    expect(list).toMatchObject({ object: 'list', has_more: false })
    expect(list.data).toHaveLength(1)
    expect(list.data[0]).toMatchObject({ object: 'webhook_delivery', batch_id: ids.completed, type: 'batch.completed', url: receiver.url('/batch'), state: 'delivered', attempt_count: 1, next_attempt_at: null })
    expect(list.data[0].attempts).toEqual([{ attempt: 1, at: expect.any(String), status_code: 200, latency_ms: expect.any(Number), error: null }])
    const batch = await app.request(`/v1/batches/${ids.completed}`, { headers: auth })
    const batchText = await batch.text()
    expect(batchText).not.toContain(BATCH_SECRET)
    expect(JSON.parse(batchText).batch.webhook).toEqual({ url: receiver.url('/batch'), configured: true })
    const other = await json(app.request(`/v1/batches/${ids.completed}/webhook-deliveries`, { headers: app.newOrg().auth }))
    expect(other.status).toBe(404)
  })
})
