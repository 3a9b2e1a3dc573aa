/**
 * The console session over HTTP: sign-in sets an HttpOnly, SameSite=Strict cookie scoped to /v1;
 * the cookie authenticates the /v1 API in place of a bearer key; every cookie-authenticated state
 * change needs the session's CSRF token (403 without, and nothing changes); a tampered, expired or
 * signed-out session, or one whose key was revoked, answers 401; operator and customer sessions
 * reach only their own routes.
 */
import { afterAll, beforeAll, describe, expect, it } from 'bun:test'
import { SignJWT } from 'jose'
import { json, startTestApp, type TestApp } from '../../helpers/test-app'
import { FakeClock } from '../../../src/lib/clock'
import { insertApiKey } from '../../../src/features/api-keys'

const clock = new FakeClock()
let app: TestApp
beforeAll(async () => {
  app = await startTestApp({ clock })
})
afterAll(() => app.close())

const BEARER_401 = 'Missing or invalid API key: send Authorization: Bearer br_live_… with an active key.'
const JSON_HEADERS = { 'content-type': 'application/json' }

interface Session {
  cookie: string
  csrf: string
  setCookie: string
  body: any
}

async function signIn(apiKey: string, headers: Record<string, string> = {}): Promise<Session> {
  const res = await json(app.request('/v1/auth/session', { method: 'POST', headers: { ...JSON_HEADERS, ...headers }, body: JSON.stringify({ api_key: apiKey }) }))
  expect(res.status).toBe(200)
  const setCookie = res.headers.get('set-cookie') ?? ''
  return { cookie: setCookie.split(';')[0]!, csrf: res.body.csrf_token, setCookie, body: res.body }
}

/** A request made the way the console page makes it: cookie, plus the CSRF header when given. */
const withSession = (s: Session, path: string, init: { method?: string; body?: unknown; csrf?: string | null } = {}) => {
  const headers: Record<string, string> = { cookie: s.cookie }
  const csrf = init.csrf === undefined ? s.csrf : init.csrf
  if (csrf !== null) headers['x-csrf-token'] = csrf
  if (init.body !== undefined) headers['content-type'] = 'application/json'
  return json(app.request(path, { method: init.method ?? 'GET', headers, body: init.body === undefined ? undefined : JSON.stringify(init.body) }))
}

describe('POST /v1/auth/session', () => {
  it('answers 200 with the session and sets an HttpOnly, SameSite=Strict cookie scoped to /v1', async () => {
    const org = app.newOrg()
    const s = await signIn(org.key)
    expect(s.body).toEqual({
      object: 'console_session',
      role: 'customer',
      key_id: org.keyId,
      key_name: expect.any(String),
      key_start: org.key.slice(0, 12),
      org_id: org.orgId,
      expires_at: new Date(clock.now() + 12 * 3600_000).toISOString(),
      csrf_token: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
    })
    const attrs = s.setCookie.split(';').map((a) => a.trim())
    expect(attrs[0]).toMatch(/^br_session=[\w-]+\.[\w-]+\.[\w-]+$/)
    expect(attrs.slice(1).sort()).toEqual(['HttpOnly', 'Max-Age=43200', 'Path=/v1', 'SameSite=Strict'])
    // The cookie names the key; it never carries the secret itself.
    expect(s.setCookie).not.toContain(org.key)
    expect(JSON.stringify(s.body)).not.toContain(org.key)
  })

  it('marks the cookie Secure when the console is reached through TLS', async () => {
    const s = await signIn(app.newOrg().key, { 'x-forwarded-proto': 'https' })
    expect(s.setCookie.split(';').map((a) => a.trim())).toContain('Secure')
  })

  it('ends the session with the key when the key expires first', async () => {
    const org = app.newOrg()
    const key = insertApiKey(app.deps, { orgId: org.orgId, kind: 'live', name: 'short', expiresAt: clock.now() + 3600_000 })
    const s = await signIn(key.secret)
    expect(s.body.expires_at).toBe(new Date(clock.now() + 3600_000).toISOString())
    expect(s.setCookie).toContain('Max-Age=3600')
  })

  it('answers 401 unauthorized with the bearer message for a bad, unknown or revoked key, and sets no cookie', async () => {
    const org = app.newOrg()
    const revoked = insertApiKey(app.deps, { orgId: org.orgId, kind: 'live', name: 'gone' })
    await json(app.request(`/v1/auth/account/api-keys/${revoked.id}`, { method: 'DELETE', headers: org.auth }))
    for (const apiKey of ['nope', 'br_live_' + 'x'.repeat(40), revoked.secret]) {
      const res = await json(app.request('/v1/auth/session', { method: 'POST', headers: JSON_HEADERS, body: JSON.stringify({ api_key: apiKey }) }))
      expect({ status: res.status, code: res.body.error.code, message: res.body.error.message }).toEqual({ status: 401, code: 'unauthorized', message: BEARER_401 })
      expect(res.headers.get('set-cookie')).toBeNull()
    }
  })

  it('answers 415 for a form or text body (a cross-site form cannot sign a browser in) and sets no cookie', async () => {
    const org = app.newOrg()
    const bodies: Array<[string, string]> = [
      ['application/x-www-form-urlencoded', `api_key=${org.key}`],
      ['text/plain', JSON.stringify({ api_key: org.key })],
      ['multipart/form-data; boundary=x', `--x\r\ncontent-disposition: form-data; name="api_key"\r\n\r\n${org.key}\r\n--x--\r\n`],
    ]
    for (const [type, body] of bodies) {
      const res = await json(app.request('/v1/auth/session', { method: 'POST', headers: { 'content-type': type }, body }))
      // The HTTP edge refuses non-JSON bodies on JSON routes before reading them.
      expect({ type, status: res.status, code: res.body.error.code }).toEqual({ type, status: 415, code: 'unsupported_media_type' })
      expect(res.body.error.message).toContain('Content-Type: application/json')
      expect(res.headers.get('set-cookie')).toBeNull()
    }
  })

  it('answers 400 for malformed JSON or a missing key', async () => {
    const bad = await json(app.request('/v1/auth/session', { method: 'POST', headers: JSON_HEADERS, body: '{"api_key"' }))
    expect({ status: bad.status, code: bad.body.error.code }).toEqual({ status: 400, code: 'invalid_request' })
    const missing = await json(app.request('/v1/auth/session', { method: 'POST', headers: JSON_HEADERS, body: '{}' }))
    expect({ status: missing.status, code: missing.body.error.code, param: missing.body.error.param }).toEqual({ status: 400, code: 'validation_failed', param: 'api_key' })
  })
})

describe('the session cookie on the /v1 API', () => {
  it('authenticates reads without a CSRF token', async () => {
    const org = app.newOrg('3.5')
    const s = await signIn(org.key)
    const res = await withSession(s, '/v1/auth/account', { csrf: null })
    expect(res.status).toBe(200)
    expect(res.body).toMatchObject({ org_id: org.orgId, credit_balance: '3.500000' })
  })

  it('answers 403 forbidden to a state change without the CSRF token, or with a wrong one, and changes nothing', async () => {
    const org = app.newOrg()
    const s = await signIn(org.key)
    const other = await signIn(app.newOrg().key)
    const keysBefore = (await json(app.request('/v1/auth/account/api-keys', { headers: org.auth }))).body.data.length
    const attempts: Array<[string, string, unknown, string | null]> = [
      ['POST', '/v1/auth/account/api-keys', { name: 'csrf' }, null],
      ['POST', '/v1/auth/account/api-keys', { name: 'csrf' }, 'x'.repeat(43)],
      ['POST', '/v1/auth/account/api-keys', { name: 'csrf' }, other.csrf],
      ['POST', '/v1/auth/account/api-keys', { name: 'csrf' }, ''],
      ['PUT', '/v1/auth/account/delivery-webhook', { url: 'https://example.com/hook', secret: 'whsec_12345678' }, null],
      ['DELETE', `/v1/auth/account/api-keys/${org.keyId}`, undefined, null],
    ]
    for (const [method, path, body, csrf] of attempts) {
      const res = await withSession(s, path, { method, body, csrf })
      expect({ method, path, csrf, status: res.status, code: res.body?.error?.code, type: res.body?.error?.type }).toEqual({ method, path, csrf, status: 403, code: 'forbidden', type: 'permission_error' })
      expect(res.body.error.message).toContain('x-csrf-token')
    }
    expect((await json(app.request('/v1/auth/account/api-keys', { headers: org.auth }))).body.data.length).toBe(keysBefore)
    expect((await json(app.request('/v1/auth/account', { headers: org.auth }))).body.delivery_webhook).toBeNull()
    expect((await json(app.request('/v1/auth/account', { headers: org.auth }))).status).toBe(200)
  })

  it('lets a state change through with the CSRF token', async () => {
    const org = app.newOrg()
    const s = await signIn(org.key)
    const res = await withSession(s, '/v1/auth/account/api-keys', { method: 'POST', body: { name: 'from the console' } })
    expect(res.status).toBe(201)
    expect(res.body.name).toBe('from the console')
  })

  it('requires the CSRF token on a raw file upload too', async () => {
    const s = await signIn(app.newOrg().key)
    const line = JSON.stringify({ customer_item_id: 'a', operation: 'responses', model: 'gpt-4o-mini', input: { messages: [{ role: 'user', content: 'hi' }] } }) + '\n'
    const upload = (csrf: string | null) =>
      json(app.request('/v1/files', { method: 'POST', headers: { cookie: s.cookie, 'content-type': 'application/jsonl', ...(csrf ? { 'x-csrf-token': csrf } : {}) }, body: line }))
    expect((await upload(null)).status).toBe(403)
    expect((await upload(s.csrf)).status).toBe(200)
  })

  it('answers 401 with the session message for a tampered cookie or a token of another kind', async () => {
    const s = await signIn(app.newOrg().key)
    const [head, payload, sig] = s.cookie.slice('br_session='.length).split('.')
    const flipped = sig!.slice(0, -2) + (sig!.endsWith('AA') ? 'BB' : 'AA')
    const artifactLike = await new SignJWT({ bid: 'bat_x', org: 'org_x', kind: 'results' }).setProtectedHeader({ alg: 'HS256' }).setIssuer('batchrouter').setAudience('artifact').setSubject(s.body.key_id).setExpirationTime('1h').sign(app.deps.signingKey)
    for (const value of [`${head}.${payload}.${flipped}`, 'garbage', artifactLike]) {
      const res = await withSession({ ...s, cookie: `br_session=${value}` }, '/v1/auth/account')
      expect({ status: res.status, code: res.body.error.code }).toEqual({ status: 401, code: 'unauthorized' })
      expect(res.body.error.message).toContain('console session has ended')
    }
  })

  it('answers 401 once the session is 12 hours old', async () => {
    const s = await signIn(app.newOrg().key)
    clock.advance(12 * 3600_000 - 1000)
    expect((await withSession(s, '/v1/auth/account')).status).toBe(200)
    clock.advance(1000)
    expect((await withSession(s, '/v1/auth/account')).status).toBe(401)
  })

  it('ends every session of a key on the next request after the key is revoked', async () => {
    const org = app.newOrg()
    const second = insertApiKey(app.deps, { orgId: org.orgId, kind: 'live', name: 'console' })
    const a = await signIn(second.secret)
    const b = await signIn(second.secret)
    expect((await withSession(a, '/v1/auth/account')).status).toBe(200)
    expect((await json(app.request(`/v1/auth/account/api-keys/${second.id}`, { method: 'DELETE', headers: org.auth }))).status).toBe(200)
    for (const s of [a, b]) {
      const res = await withSession(s, '/v1/auth/account')
      expect({ status: res.status, code: res.body.error.code }).toEqual({ status: 401, code: 'unauthorized' })
    }
    // The org's other key is untouched.
    expect((await json(app.request('/v1/auth/account', { headers: org.auth }))).status).toBe(200)
  })

  it('prefers an Authorization header over the cookie', async () => {
    const s = await signIn(app.newOrg().key)
    const res = await json(app.request('/v1/auth/account', { headers: { cookie: s.cookie, authorization: 'Bearer br_live_' + 'y'.repeat(40) } }))
    expect({ status: res.status, message: res.body.error.message }).toEqual({ status: 401, message: BEARER_401 })
  })

  it('gives an operator session the operator routes and a customer session the org routes, nothing else', async () => {
    const admin = await signIn(app.adminKey())
    expect(admin.body).toMatchObject({ role: 'operator', org_id: null, key_start: expect.stringMatching(/^br_admin_/) })
    const customer = await signIn(app.newOrg().key)
    expect((await withSession(admin, '/v1/admin/orgs')).status).toBe(200)
    expect((await withSession(customer, '/v1/auth/account')).status).toBe(200)
    const crossed = [await withSession(admin, '/v1/auth/account'), await withSession(customer, '/v1/admin/orgs')]
    for (const res of crossed) expect({ status: res.status, code: res.body.error.code }).toEqual({ status: 403, code: 'forbidden' })
  })

  it('needs the CSRF token on operator state changes too', async () => {
    const org = app.newOrg()
    const admin = await signIn(app.adminKey())
    const grant = (csrf: string | null) => withSession(admin, `/v1/admin/orgs/${org.orgId}/credits`, { method: 'POST', csrf, body: { amount: '2.00', note: 'console', reference: `grant-${crypto.randomUUID()}` } })
    expect((await grant(null)).status).toBe(403)
    expect((await json(app.request('/v1/auth/account', { headers: org.auth }))).body.credit_balance).toBe('0.000000')
    expect((await grant(admin.csrf)).status).toBe(201)
    expect((await json(app.request('/v1/auth/account', { headers: org.auth }))).body.credit_balance).toBe('2.000000')
  })
})

describe('GET /v1/auth/session', () => {
  it('answers the live session with the same CSRF token, for a reloaded page', async () => {
    const s = await signIn(app.newOrg().key)
    const res = await withSession(s, '/v1/auth/session', { csrf: null })
    expect(res.status).toBe(200)
    expect(res.body).toEqual(s.body)
    expect(res.headers.get('cache-control')).toBe('no-store')
  })

  it('answers 401 without a cookie, and 401 clearing the cookie when its key was revoked', async () => {
    const none = await json(app.request('/v1/auth/session'))
    expect({ status: none.status, code: none.body.error.code }).toEqual({ status: 401, code: 'unauthorized' })
    const org = app.newOrg()
    const key = insertApiKey(app.deps, { orgId: org.orgId, kind: 'live', name: 'short-lived' })
    const s = await signIn(key.secret)
    await json(app.request(`/v1/auth/account/api-keys/${key.id}`, { method: 'DELETE', headers: org.auth }))
    const res = await withSession(s, '/v1/auth/session')
    expect(res.status).toBe(401)
    expect(res.headers.get('set-cookie')).toMatch(/^br_session=; Path=\/v1; Max-Age=0; HttpOnly; SameSite=Strict/)
  })
})

describe('DELETE /v1/auth/session', () => {
  it('answers 403 without the CSRF token and keeps the session', async () => {
    const s = await signIn(app.newOrg().key)
    const res = await withSession(s, '/v1/auth/session', { method: 'DELETE', csrf: null })
    expect({ status: res.status, code: res.body.error.code }).toEqual({ status: 403, code: 'forbidden' })
    expect(res.headers.get('set-cookie')).toBeNull()
  })

  it('answers 200 signed_out and clears the cookie', async () => {
    const s = await signIn(app.newOrg().key)
    const res = await withSession(s, '/v1/auth/session', { method: 'DELETE' })
    expect(res.status).toBe(200)
    expect(res.body).toEqual({ object: 'console_session', signed_out: true })
    expect(res.headers.get('set-cookie')).toMatch(/^br_session=; Path=\/v1; Max-Age=0; HttpOnly; SameSite=Strict/)
    expect(res.headers.get('x-request-id')).toMatch(/^req_/)
  })

  it('clears a dead cookie without asking for a token', async () => {
    const res = await json(app.request('/v1/auth/session', { method: 'DELETE', headers: { cookie: 'br_session=garbage' } }))
    expect(res.status).toBe(200)
    expect(res.headers.get('set-cookie')).toContain('Max-Age=0')
  })
})
