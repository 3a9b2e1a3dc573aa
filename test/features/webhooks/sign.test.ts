/**
 * Signing, checked against the Standard Webhooks test vector and independent verifiers
 * (`standardwebhooks`, the openai SDK, node:crypto).
 */
import { describe, expect, it } from 'bun:test'
import { createHmac } from 'node:crypto'
import { Webhook } from 'standardwebhooks'
import OpenAI from 'openai'
import { deliveryHeaders, standardWebhookKey, standardWebhookSignature } from '../../../src/features/webhooks/sign'

// The signing vector of the Standard Webhooks reference libraries.
const VECTOR = { secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', id: 'msg_p5jXN8AQM9LWM0D4loKWxJek', timestamp: 1614265330, payload: '{"test": 2432232314}', signature: 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=' }

describe('standardWebhookSignature', () => {
  it('matches the Standard Webhooks test vector', () => {
    expect(standardWebhookSignature(VECTOR.secret, VECTOR.id, VECTOR.timestamp, VECTOR.payload)).toBe(VECTOR.signature)
  })

  it('agrees with the standardwebhooks package for whsec_ and raw UTF-8 secrets', () => {
    const at = new Date(1_767_225_600_000)
    expect(standardWebhookSignature(VECTOR.secret, 'evt_1', 1_767_225_600, '{"a":1}')).toBe(new Webhook(VECTOR.secret).sign('evt_1', at, '{"a":1}'))
    const plain = 'plain-secret-ünïcode'
    expect(standardWebhookSignature(plain, 'evt_1', 1_767_225_600, '{"a":1}')).toBe(new Webhook(new TextEncoder().encode(plain), { format: 'raw' }).sign('evt_1', at, '{"a":1}'))
  })

  it('keys whsec_ secrets with their base64 bytes and others with UTF-8', () => {
    expect(standardWebhookKey('whsec_AAEC')).toEqual(Buffer.from([0, 1, 2]))
    expect(standardWebhookKey('abc12345')).toEqual(Buffer.from('abc12345'))
  })
})

describe('deliveryHeaders', () => {
  const body = '{"id":"evt_x","object":"event","type":"batch.completed"}'
  const now = Math.floor(Date.now() / 1000)
  for (const secret of [VECTOR.secret, 'a-plain-secret']) {
    it(`produces headers every verifier accepts (${secret.startsWith('whsec_') ? 'whsec_' : 'plain'} secret)`, async () => {
      const headers = deliveryHeaders({ eventId: 'evt_x', timestampS: now, body, secret })
      expect(headers['x-batchrouter-signature']).toBe(createHmac('sha256', secret).update(body).digest('hex'))
      expect(headers['x-batchrouter-signature']).toMatch(/^[0-9a-f]{64}$/)
      expect(headers['webhook-id']).toBe('evt_x')
      expect(headers['webhook-timestamp']).toBe(String(now))
      const wh = secret.startsWith('whsec_') ? new Webhook(secret) : new Webhook(new TextEncoder().encode(secret), { format: 'raw' })
      expect(wh.verify(body, headers)).toEqual(JSON.parse(body))
      const client = new OpenAI({ apiKey: 'not-used', baseURL: 'http://127.0.0.1:9/v1' })
      await expect(client.webhooks.verifySignature(body, headers, secret)).resolves.toBeUndefined()
    })
  }
})
