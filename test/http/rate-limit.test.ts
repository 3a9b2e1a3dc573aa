/**
 * Request limits (contract §12, issue 15 item 5): per API key and per org, with the
 * `x-ratelimit-*` headers on every authenticated response and 429 rate_limited + retry-after
 * (which the OpenAI SDK reads) past the limit; failed authentication limited per client address;
 * a cap on an org's unfinished batches.
 */
import { afterEach, describe, expect, it } from 'bun:test'
import OpenAI from 'openai'
import { json, startTestApp, type TestApp } from '../helpers/test-app'
import { chatItem, newKey, postBatch, storeTrace } from '../helpers/batch-helpers'

let app: TestApp | undefined
afterEach(async () => {
  await app?.close()
  app = undefined
})

const start = (rateLimits: Record<string, number>, extra: Record<string, unknown> = {}) => startTestApp({ scheduler: false, config: { demo: true, rateLimits, ...extra } })

describe('per-key and per-org request limits', () => {
  it('reports the quota on every authenticated response and answers 429 past the per-key limit', async () => {
    app = await start({ perKey: 5, perOrg: 100, windowSeconds: 60 })
    const org = app.newOrg()
    const remaining: string[] = []
    for (let i = 0; i < 5; i++) {
      const res = await app.request(i % 2 ? '/v1/batches' : '/v1/auth/account', { headers: org.auth })
      expect(res.status).toBe(200)
      expect(res.headers.get('x-ratelimit-limit-requests')).toBe('5')
      expect(res.headers.get('x-ratelimit-reset-requests')).toMatch(/^(\d+ms|\d+s|\d+m\d+s)$/)
      remaining.push(res.headers.get('x-ratelimit-remaining-requests')!)
    }
    expect(remaining).toEqual(['4', '3', '2', '1', '0'])
    const limited = await json(app.request('/v1/auth/account', { headers: org.auth }))
    expect(limited.status).toBe(429)
    expect(limited.body.error).toMatchObject({ code: 'rate_limited', type: 'rate_limit_error' })
    const retryAfter = Number(limited.headers.get('retry-after'))
    expect(retryAfter).toBeGreaterThanOrEqual(1)
    expect(retryAfter).toBeLessThanOrEqual(60)
    expect(limited.headers.get('retry-after-ms')).toBe(String(retryAfter * 1000))
    expect(limited.headers.get('x-ratelimit-remaining-requests')).toBe('0')
    // Another key of another org is not affected; public routes carry no quota.
    const other = app.newOrg()
    expect((await app.request('/v1/auth/account', { headers: other.auth })).status).toBe(200)
    const open = await app.request('/v1/pricing/fees')
    expect(open.status).toBe(200)
    expect(open.headers.get('x-ratelimit-limit-requests')).toBeNull()
  })

  it('limits the org across its keys', async () => {
    app = await start({ perKey: 100, perOrg: 4, windowSeconds: 60 })
    const org = app.newOrg()
    const second = await json(app.request('/v1/auth/account/api-keys', { method: 'POST', headers: org.auth }))
    expect(second.status).toBe(201)
    const keys = [org.auth, { authorization: `Bearer ${second.body.api_key}` }]
    const statuses: number[] = []
    for (let i = 0; i < 6; i++) statuses.push((await app.request('/v1/auth/account', { headers: keys[i % 2]! })).status)
    // The key creation above was the org's first request of the window.
    expect(statuses).toEqual([200, 200, 200, 429, 429, 429])
  })

  it('is read by the OpenAI SDK as a RateLimitError (status 429, no retry when told not to)', async () => {
    app = await start({ perKey: 1, perOrg: 100, windowSeconds: 60 })
    const org = app.newOrg()
    const client = new OpenAI({ baseURL: `${app.url}/v1`, apiKey: org.key, maxRetries: 0 })
    await client.batches.list()
    const err = await client.batches.list().then(() => null, (e) => e)
    expect(err).toBeInstanceOf(OpenAI.RateLimitError)
    expect(err.status).toBe(429)
    expect(err.headers.get('retry-after')).toMatch(/^\d+$/)
  })
})

describe('failed authentication per client address', () => {
  it('answers 429 instead of 401 once an address has failed too often, for any key, until the window resets', async () => {
    app = await start({ failedAuthPerAddress: 10, windowSeconds: 60 })
    const org = app.newOrg()
    const statuses: number[] = []
    for (let i = 0; i < 25; i++) statuses.push((await app.request('/v1/batches', { headers: { authorization: `Bearer br_live_${'x'.repeat(32)}${i}` } })).status)
    expect(statuses.slice(0, 10)).toEqual(Array(10).fill(401))
    expect(statuses.slice(10)).toEqual(Array(15).fill(429))
    const blocked = await json(app.request('/v1/auth/account', { headers: org.auth }))
    expect(blocked.status).toBe(429)
    expect(blocked.body.error.message).toContain('failed authentications')
    expect(Number(blocked.headers.get('retry-after'))).toBeGreaterThan(0)
    // Public routes stay open to that address.
    expect((await app.request('/v1/catalog/models')).status).toBe(200)
  })

  it('takes the address from X-Forwarded-For only behind a trusted proxy', async () => {
    app = await start({ failedAuthPerAddress: 2, windowSeconds: 60 }, { trustProxy: true })
    const bad = (address: string) => app!.request('/v1/batches', { headers: { authorization: 'Bearer nope', 'x-forwarded-for': `198.51.100.1, ${address}` } })
    expect([(await bad('203.0.113.5')).status, (await bad('203.0.113.5')).status, (await bad('203.0.113.5')).status]).toEqual([401, 401, 429])
    expect((await bad('203.0.113.6')).status).toBe(401)
    await app.close()
    app = await start({ failedAuthPerAddress: 2, windowSeconds: 60 })
    const spoofed = (address: string) => app!.request('/v1/batches', { headers: { authorization: 'Bearer nope', 'x-forwarded-for': address } })
    expect([(await spoofed('203.0.113.1')).status, (await spoofed('203.0.113.2')).status, (await spoofed('203.0.113.3')).status]).toEqual([401, 401, 429])
  })
})

describe('unfinished batches per org', () => {
  it('answers 429 rate_limited past the cap, storing nothing, and still replays an existing idempotency key', async () => {
    app = await start({ activeBatchesPerOrg: 2 })
    const org = app.newOrg('5')
    const firstKey = newKey('cap')
    expect((await postBatch(app, org.auth, { items: [chatItem('a')] }, firstKey)).status).toBe(202)
    expect((await postBatch(app, org.auth, { items: [chatItem('b')] }, newKey('cap'))).status).toBe(202)
    const before = storeTrace(app)
    const third = await postBatch(app, org.auth, { items: [chatItem('c')] }, newKey('cap'))
    expect(third.status).toBe(429)
    expect(third.body.error).toMatchObject({ code: 'rate_limited', details: { active_batches: 2, limit: 2 } })
    expect(Number(third.headers.get('retry-after'))).toBeGreaterThan(0)
    expect(storeTrace(app)).toEqual(before)
    expect((await postBatch(app, org.auth, { items: [chatItem('a')] }, firstKey)).status).toBe(202)
    // Another org has its own slots.
    const other = app.newOrg('5')
    expect((await postBatch(app, other.auth, { items: [chatItem('a')] }, newKey('cap'))).status).toBe(202)
  })
})
