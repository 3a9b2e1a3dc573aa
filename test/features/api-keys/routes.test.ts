import { afterAll, beforeAll, describe, expect, it } from 'bun:test'
import { json, startTestApp, type TestApp } from '../../helpers/test-app'
import { bearer, runScenarios, type Scenario } from '../../contract/scenarios'
import { FakeClock } from '../../../src/lib/clock'
import { hashKey } from '../../../src/features/api-keys/keys'

const clock = new FakeClock()
let app: TestApp
beforeAll(async () => {
  app = await startTestApp({ clock })
})
afterAll(() => app.close())

const HOUR = 3600_000
const iso = (ms: number) => new Date(ms).toISOString()
type Org = ReturnType<TestApp['newOrg']>
const newKey = async (org: Org, body?: unknown) =>
  json(app.request('/v1/auth/account/api-keys', { method: 'POST', headers: { ...org.auth, ...(body ? { 'content-type': 'application/json' } : {}) }, body: body ? JSON.stringify(body) : undefined }))
const account = (secret: string) => json(app.request('/v1/auth/account', { headers: { authorization: bearer(secret) } }))

describe('POST /v1/auth/account/api-keys', () => {
  const post = (body?: unknown, raw?: string): Omit<Scenario<Org>, 'name' | 'expect'> => ({ method: 'POST', path: '/v1/auth/account/api-keys', auth: (o) => bearer(o.key), body, rawBody: raw })
  runScenarios(() => app, (a) => a.newOrg(), [
    {
      name: 'answers 201 with the secret shown once and a default name when the body is empty',
      ...post(),
      expect: { status: 201 },
      check: ({ body }) => {
        expect(body).toEqual({ id: expect.stringMatching(/^key_/), object: 'api_key', api_key: expect.stringMatching(/^br_live_[0-9A-Za-z]{40}$/), api_key_id: body.id, name: 'unnamed', start: body.api_key.slice(0, 12), created_at: iso(clock.now()), expires_at: null })
      },
    },
    { name: 'answers 201 with the given name and expiry', ...post({ name: 'ci', expires_at: iso(clock.now() + HOUR).replace('.000Z', 'Z') }), expect: { status: 201 }, check: ({ body }) => expect(body).toMatchObject({ name: 'ci', expires_at: iso(clock.now() + HOUR) }) },
    { name: 'accepts an expiry with a UTC offset', ...post({ expires_at: '2030-06-01T12:00:00+02:00' }), expect: { status: 201 }, check: ({ body }) => expect(body.expires_at).toBe('2030-06-01T10:00:00.000Z') },
    { name: 'answers 400 validation_failed for an expiry in the past', ...post({ expires_at: iso(clock.now() - 1000) }), expect: { status: 400, code: 'validation_failed', param: 'expires_at' } },
    { name: 'answers 400 validation_failed for an expiry of exactly now', ...post({ expires_at: iso(clock.now()) }), expect: { status: 400, code: 'validation_failed', param: 'expires_at' } },
    { name: 'answers 400 validation_failed for an expiry that is not ISO-8601', ...post({ expires_at: 'tomorrow' }), expect: { status: 400, code: 'validation_failed', param: 'expires_at' } },
    { name: 'answers 400 validation_failed for a numeric expiry', ...post({ expires_at: 1893456000 }), expect: { status: 400, code: 'validation_failed', param: 'expires_at' } },
    { name: 'answers 400 validation_failed for an empty name', ...post({ name: '' }), expect: { status: 400, code: 'validation_failed', param: 'name' } },
    { name: 'answers 400 validation_failed for a name over 200 characters', ...post({ name: 'n'.repeat(201) }), expect: { status: 400, code: 'validation_failed', param: 'name' } },
    { name: 'answers 400 invalid_request for malformed JSON', ...post(undefined, '{"name"'), expect: { status: 400, code: 'invalid_request' } },
  ])

  it('mints a key that works at once and stops working after its expiry', async () => {
    const org = app.newOrg()
    const { body } = await newKey(org, { name: 'short-lived', expires_at: iso(clock.now() + HOUR) })
    expect((await account(body.api_key)).body.api_key.id).toBe(body.api_key_id)
    clock.advance(HOUR)
    const expired = await account(body.api_key)
    expect({ status: expired.status, code: expired.body.error.code }).toEqual({ status: 401, code: 'unauthorized' })
    expect((await account(org.key)).status).toBe(200)
  })
})

describe('GET /v1/auth/account/api-keys', () => {
  it('lists a new key under the `id` its creation answered (api_key_id kept as the same value)', async () => {
    const org = app.newOrg()
    const created = (await newKey(org, { name: 'same-id' })).body
    const listed = (await json(app.request('/v1/auth/account/api-keys', { headers: org.auth }))).body.data.find((k: { name: string }) => k.name === 'same-id')
    expect(listed).toMatchObject({ id: created.id, object: created.object, start: created.start })
    expect(created.api_key_id).toBe(created.id)
  })

  it("lists the org's keys newest first, revoked ones included, never a secret or hash", async () => {
    const org = app.newOrg()
    const other = app.newOrg()
    clock.advance(1000)
    const second = (await newKey(org, { name: 'second' })).body
    await app.request(`/v1/auth/account/api-keys/${second.api_key_id}`, { method: 'DELETE', headers: org.auth })
    const res = await app.request('/v1/auth/account/api-keys', { headers: org.auth })
    const text = await res.text()
    const body = JSON.parse(text)
    expect(body.object).toBe('list')
    expect(body.data.map((k: { id: string }) => k.id)).toEqual([second.api_key_id, org.keyId])
    expect(Object.keys(body.data[0]).sort()).toEqual(['created_at', 'expires_at', 'id', 'last_used_at', 'name', 'object', 'revoked_at', 'start'])
    expect(body.data[0].revoked_at).toBe(iso(clock.now()))
    for (const secret of [org.key, second.api_key]) {
      expect(text).not.toContain(secret)
      expect(text).not.toContain(hashKey(secret))
    }
    expect(text).not.toContain(other.keyId)
  })

  it('sets last_used_at when a key is used', async () => {
    const org = app.newOrg()
    const fresh = (await newKey(org)).body
    const before = (await json(app.request('/v1/auth/account/api-keys', { headers: org.auth }))).body.data.find((k: { id: string }) => k.id === fresh.api_key_id)
    expect(before.last_used_at).toBeNull()
    clock.advance(5000)
    await account(fresh.api_key)
    const after = (await json(app.request('/v1/auth/account/api-keys', { headers: org.auth }))).body.data.find((k: { id: string }) => k.id === fresh.api_key_id)
    expect(after.last_used_at).toBe(iso(clock.now()))
  })
})

describe('DELETE /v1/auth/account/api-keys/{id}', () => {
  it('revokes another key of the org: 200 with revoked_at, the key answers 401 on its next request, others keep working', async () => {
    const org = app.newOrg()
    const victim = (await newKey(org, { name: 'victim' })).body
    expect((await account(victim.api_key)).status).toBe(200)
    const res = await json(app.request(`/v1/auth/account/api-keys/${victim.api_key_id}`, { method: 'DELETE', headers: org.auth }))
    expect(res.status).toBe(200)
    expect(res.body).toMatchObject({ id: victim.api_key_id, object: 'api_key', name: 'victim', revoked_at: iso(clock.now()) })
    const next = await account(victim.api_key)
    expect({ status: next.status, code: next.body.error.code }).toEqual({ status: 401, code: 'unauthorized' })
    expect((await account(org.key)).status).toBe(200)
  })

  it('revokes the calling key itself, effective on the next request', async () => {
    const org = app.newOrg()
    const res = await json(app.request(`/v1/auth/account/api-keys/${org.keyId}`, { method: 'DELETE', headers: org.auth }))
    expect(res.status).toBe(200)
    expect((await account(org.key)).status).toBe(401)
  })

  it('is idempotent: revoking again keeps the first revoked_at', async () => {
    const org = app.newOrg()
    const victim = (await newKey(org)).body
    const first = await json(app.request(`/v1/auth/account/api-keys/${victim.api_key_id}`, { method: 'DELETE', headers: org.auth }))
    clock.advance(1000)
    const second = await json(app.request(`/v1/auth/account/api-keys/${victim.api_key_id}`, { method: 'DELETE', headers: org.auth }))
    expect(second.status).toBe(200)
    expect(second.body.revoked_at).toBe(first.body.revoked_at)
  })

  runScenarios(() => app, (a) => ({ org: a.newOrg(), other: a.newOrg() }), [
    { name: 'answers 404 not_found for an unknown id', method: 'DELETE', path: '/v1/auth/account/api-keys/key_doesnotexist000000000000', auth: (c) => bearer(c.org.key), expect: { status: 404, code: 'not_found', param: 'id' } },
    {
      name: "answers 404 not_found for another org's key and leaves it working",
      method: 'DELETE',
      path: (c) => `/v1/auth/account/api-keys/${c.other.keyId}`,
      auth: (c) => bearer(c.org.key),
      expect: { status: 404, code: 'not_found' },
      check: async (_res, c) => expect((await account(c.other.key)).status).toBe(200),
    },
  ])

  it('answers 404 not_found for an admin key id', async () => {
    app.adminKey()
    const adminId = (app.deps.db.$client.query("SELECT id FROM api_keys WHERE kind = 'admin' LIMIT 1").get() as { id: string }).id
    const res = await json(app.request(`/v1/auth/account/api-keys/${adminId}`, { method: 'DELETE', headers: app.newOrg().auth }))
    expect(res.status).toBe(404)
  })
})
