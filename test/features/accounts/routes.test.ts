import { afterAll, beforeAll, describe, expect, it } from 'bun:test'
import { json, startTestApp, type TestApp } from '../../helpers/test-app'
import { bearer, runScenarios, type Scenario } from '../../contract/scenarios'
import { writeTx } from '../../../src/db/tx'
import { reserveCreditsInTx } from '../../../src/features/credits'
import { insertApiKey } from '../../../src/features/api-keys'

let app: TestApp
let closed: TestApp
beforeAll(async () => {
  app = await startTestApp({ config: { startingCredit: '2.50' } })
  closed = await startTestApp({ config: { registration: 'closed' } })
})
afterAll(async () => {
  await app.close()
  await closed.close()
})

const KEY_PATTERN = /^br_live_[0-9A-Za-z]{40}$/
const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/
const none = () => null

describe('POST /v1/auth/agent-register', () => {
  const post = (body?: unknown): Omit<Scenario<unknown>, 'name' | 'expect'> => ({ method: 'POST', path: '/v1/auth/agent-register', auth: none, body })
  runScenarios(() => app, () => undefined, [
    {
      name: 'answers 201 with a working key and the starting credit when the body is empty',
      ...post(),
      expect: { status: 201 },
      check: async ({ body }) => {
        expect(body).toEqual({ org_id: expect.stringMatching(/^org_/), api_key: expect.stringMatching(KEY_PATTERN), api_key_id: expect.stringMatching(/^key_/), name: 'Unnamed org', credit_balance: '2.500000', currency: 'usd' })
        const account = await json(app.request('/v1/auth/account', { headers: { authorization: bearer(body.api_key) } }))
        expect(account.body).toMatchObject({ org_id: body.org_id, credit_balance: '2.500000', api_key: { id: body.api_key_id } })
      },
    },
    { name: 'answers 201 for an empty JSON object', ...post({}), expect: { status: 201 } },
    { name: 'uses name when given', ...post({ name: 'Acme', agent_name: 'bot', email: 'ops@example.com' }), expect: { status: 201 }, check: ({ body }) => expect(body.name).toBe('Acme') },
    { name: 'falls back to agent_name for the org name', ...post({ agent_name: 'eval-bot' }), expect: { status: 201 }, check: ({ body }) => expect(body.name).toBe('eval-bot') },
    { name: 'answers 400 validation_failed for a malformed email', ...post({ email: 'not-an-email' }), expect: { status: 400, code: 'validation_failed', param: 'email' } },
    { name: 'answers 400 validation_failed for a name over 200 characters', ...post({ name: 'x'.repeat(201) }), expect: { status: 400, code: 'validation_failed', param: 'name' } },
    { name: 'accepts a name of exactly 200 characters', ...post({ name: 'x'.repeat(200) }), expect: { status: 201 } },
    { name: 'answers 400 validation_failed for an empty name', ...post({ name: '' }), expect: { status: 400, code: 'validation_failed', param: 'name' } },
    { name: 'answers 400 validation_failed for an agent_name over 200 characters', ...post({ agent_name: 'y'.repeat(201) }), expect: { status: 400, code: 'validation_failed', param: 'agent_name' } },
    { name: 'answers 400 validation_failed for a non-string name', ...post({ name: 42 }), expect: { status: 400, code: 'validation_failed', param: 'name' } },
    { name: 'answers 400 invalid_request for malformed JSON', method: 'POST', path: '/v1/auth/agent-register', auth: none, rawBody: '{"name":', expect: { status: 400, code: 'invalid_request' } },
  ])

  it('answers 403 forbidden with a clear message when registration is closed', async () => {
    const res = await json(closed.request('/v1/auth/agent-register', { method: 'POST' }))
    expect(res.status).toBe(403)
    expect(res.body.error).toMatchObject({ code: 'forbidden', type: 'permission_error' })
    expect(res.body.error.message).toContain('closed')
  })

  it('records the starting credit as one grant in the ledger', async () => {
    const reg = await json(app.request('/v1/auth/agent-register', { method: 'POST' }))
    const ledger = await json(app.request('/v1/auth/account/ledger', { headers: { authorization: bearer(reg.body.api_key) } }))
    expect(ledger.body.data).toEqual([expect.objectContaining({ kind: 'grant', amount: '2.500000', reference: `starting-credit:${reg.body.org_id}` })])
  })
})

describe('GET /v1/auth/account', () => {
  it('answers 200 with balances as 6-decimal strings: available excludes active reservations', async () => {
    const org = app.newOrg('10')
    writeTx(app.deps.db, () => reserveCreditsInTx(app.deps, { orgId: org.orgId, batchId: 'bat_test', amount: 3_250_000 }))
    const { status, body } = await json(app.request('/v1/auth/account', { headers: org.auth }))
    expect(status).toBe(200)
    expect(body).toEqual({
      org_id: org.orgId,
      name: 'Test org',
      credit_balance: '6.750000',
      reserved_balance: '3.250000',
      currency: 'usd',
      created_at: expect.stringMatching(ISO),
      delivery_webhook: null,
      api_key: { id: org.keyId, name: 'default', start: org.key.slice(0, 12) },
    })
  })

  it('describes the key that made the request', async () => {
    const org = app.newOrg()
    const second = insertApiKey(app.deps, { orgId: org.orgId, kind: 'live', name: 'second' })
    const { body } = await json(app.request('/v1/auth/account', { headers: { authorization: bearer(second.secret) } }))
    expect(body.api_key).toEqual({ id: second.id, name: 'second', start: second.start })
  })

  it('shows the delivery webhook once configured, never its secret', async () => {
    const org = app.newOrg()
    const secret = 'whsec_supersecretvalue'
    await app.request('/v1/auth/account/delivery-webhook', { method: 'PUT', headers: { ...org.auth, 'content-type': 'application/json' }, body: JSON.stringify({ url: 'https://example.com/hook', secret }) })
    const res = await app.request('/v1/auth/account', { headers: org.auth })
    const text = await res.text()
    expect(JSON.parse(text).delivery_webhook).toEqual({ url: 'https://example.com/hook', configured: true, progress_events: false })
    expect(text).not.toContain(secret)
  })

  it('shows progress_events when the org opts in to batch.progress events', async () => {
    const org = app.newOrg()
    const put = await json(app.request('/v1/auth/account/delivery-webhook', { method: 'PUT', headers: { ...org.auth, 'content-type': 'application/json' }, body: JSON.stringify({ url: 'https://example.com/hook', secret: 'whsec_supersecretvalue', progress_events: true }) }))
    expect(put.body).toEqual({ url: 'https://example.com/hook', configured: true, progress_events: true })
    expect((await json(app.request('/v1/auth/account', { headers: org.auth }))).body.delivery_webhook).toEqual({ url: 'https://example.com/hook', configured: true, progress_events: true })
  })
})

describe('PUT /v1/auth/account/delivery-webhook', () => {
  const put = (body: unknown): Omit<Scenario<{ auth: string }>, 'name' | 'expect'> => ({ method: 'PUT', path: '/v1/auth/account/delivery-webhook', auth: (c) => c.auth, body })
  const secret = 'whsec_12345678'
  const unsafe = (url: string): Scenario<{ auth: string }> => ({ name: `answers 400 unsafe_webhook_url for ${url}`, ...put({ url, secret }), expect: { status: 400, code: 'unsafe_webhook_url', param: 'url' } })
  runScenarios(() => app, (a) => ({ auth: bearer(a.newOrg().key) }), [
    { name: 'answers 200 {url, configured:true} for an https URL on a public host', ...put({ url: 'https://example.com/hooks/br', secret }), expect: { status: 200 }, check: ({ body }) => expect(body).toEqual({ url: 'https://example.com/hooks/br', configured: true, progress_events: false }) },
    { name: 'accepts a public IP literal', ...put({ url: 'https://8.8.8.8/hook', secret }), expect: { status: 200 } },
    { name: 'accepts a secret of exactly 8 characters', ...put({ url: 'https://example.com/h', secret: '12345678' }), expect: { status: 200 } },
    { name: 'accepts a secret of 256 characters', ...put({ url: 'https://example.com/h', secret: 's'.repeat(256) }), expect: { status: 200 } },
    unsafe('http://example.com/hook'),
    unsafe('ftp://example.com/hook'),
    unsafe('https://127.0.0.1/hook'),
    unsafe('https://10.1.2.3/hook'),
    unsafe('https://172.16.5.4/hook'),
    unsafe('https://192.168.1.1/hook'),
    unsafe('https://100.64.0.1/hook'),
    unsafe('https://169.254.169.254/latest/meta-data'),
    unsafe('https://0.0.0.0/hook'),
    unsafe('https://2130706433/hook'),
    unsafe('https://[::1]/hook'),
    unsafe('https://[fe80::1]/hook'),
    unsafe('https://[fd00::1]/hook'),
    unsafe('https://[::ffff:127.0.0.1]/hook'),
    unsafe('https://localhost/hook'),
    unsafe('https://api.localhost/hook'),
    unsafe('https://metadata.google.internal/computeMetadata'),
    unsafe('https://user:pass@example.com/hook'),
    { name: 'answers 400 validation_failed for a value that is not a URL', ...put({ url: 'not a url', secret }), expect: { status: 400, code: 'validation_failed', param: 'url' } },
    { name: 'answers 400 validation_failed for a secret under 8 characters', ...put({ url: 'https://example.com/h', secret: 'short' }), expect: { status: 400, code: 'validation_failed', param: 'secret' } },
    { name: 'answers 400 validation_failed for a secret over 256 characters', ...put({ url: 'https://example.com/h', secret: 's'.repeat(257) }), expect: { status: 400, code: 'validation_failed', param: 'secret' } },
    { name: 'answers 400 validation_failed without a url', ...put({ secret }), expect: { status: 400, code: 'validation_failed', param: 'url' } },
    { name: 'answers 400 validation_failed without a secret', ...put({ url: 'https://example.com/h' }), expect: { status: 400, code: 'validation_failed', param: 'secret' } },
  ])

  it('replaces an earlier webhook', async () => {
    const org = app.newOrg()
    const send = (url: string) => json(app.request('/v1/auth/account/delivery-webhook', { method: 'PUT', headers: { ...org.auth, 'content-type': 'application/json' }, body: JSON.stringify({ url, secret: 'whsec_12345678' }) }))
    await send('https://one.example.com/h')
    await send('https://two.example.com/h')
    expect((await json(app.request('/v1/auth/account', { headers: org.auth }))).body.delivery_webhook.url).toBe('https://two.example.com/h')
  })
})

describe('DELETE /v1/auth/account/delivery-webhook', () => {
  it('answers 200 {url:null, configured:false} and the account shows no webhook; repeating is harmless', async () => {
    const org = app.newOrg()
    await app.request('/v1/auth/account/delivery-webhook', { method: 'PUT', headers: { ...org.auth, 'content-type': 'application/json' }, body: JSON.stringify({ url: 'https://example.com/h', secret: 'whsec_12345678' }) })
    for (let i = 0; i < 2; i++) {
      const res = await json(app.request('/v1/auth/account/delivery-webhook', { method: 'DELETE', headers: org.auth }))
      expect(res).toMatchObject({ status: 200, body: { url: null, configured: false } })
    }
    expect((await json(app.request('/v1/auth/account', { headers: org.auth }))).body.delivery_webhook).toBeNull()
  })
})
