import { afterAll, beforeAll, describe, expect, it } from 'bun:test'
import { json, startTestApp, type TestApp } from '../../helpers/test-app'
import { bearer, runScenarios, type Scenario } from '../../contract/scenarios'
import { FakeClock } from '../../../src/lib/clock'
import { newId } from '../../../src/lib/ids'
import { batchesTable, type BatchStatus } from '../../../src/features/batches/index'
import { presentPriceBreakdown } from '../../../src/features/catalog/index'
import type { Deps } from '../../../src/deps'

const clock = new FakeClock()
let app: TestApp
let adminKey: string
beforeAll(async () => {
  // No scheduler: the batches inserted by hand must keep the status they were given while the test reads them.
  app = await startTestApp({ clock, scheduler: false, config: { startingCredit: '1.25' } })
  adminKey = app.adminKey()
})
afterAll(() => app.close())

const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/
const asAdmin = () => bearer(adminKey)
const adminHeaders = () => ({ authorization: asAdmin(), 'content-type': 'application/json' })
const get = (path: string) => json(app.request(path, { headers: adminHeaders() }))
const post = (path: string, body: unknown) => json(app.request(path, { method: 'POST', headers: adminHeaders(), body: JSON.stringify(body) }))
const adminKeyId = () => (app.deps.db.$client.query('SELECT id FROM api_keys WHERE hash = ?').get(new Bun.CryptoHasher('sha256').update(adminKey).digest('hex')) as { id: string }).id
type Ctx = { org: ReturnType<TestApp['newOrg']> }
const ctx = (a: TestApp): Ctx => ({ org: a.newOrg('10') })

describe('POST /v1/admin/orgs', () => {
  const create = (body: unknown): Omit<Scenario<Ctx>, 'name' | 'expect'> => ({ method: 'POST', path: '/v1/admin/orgs', auth: asAdmin, body })
  runScenarios(() => app, ctx, [
    {
      name: 'answers 201 with the org, its balances and its first key (shown once); the key works',
      ...create({ name: 'Acme', email: 'ops@example.com' }),
      expect: { status: 201 },
      check: async ({ body }) => {
        expect(body).toEqual({
          org: { id: expect.stringMatching(/^org_/), object: 'organization', name: 'Acme', email: 'ops@example.com', agent_name: null, credit_balance: '1.250000', reserved_balance: '0.000000', currency: 'usd', created_at: expect.stringMatching(ISO), delivery_webhook: null },
          api_key: expect.stringMatching(/^br_live_/),
          api_key_id: expect.stringMatching(/^key_/),
        })
        const account = await json(app.request('/v1/auth/account', { headers: { authorization: bearer(body.api_key) } }))
        expect(account.body.org_id).toBe(body.org.id)
      },
    },
    { name: 'grants starting_credit instead of the configured amount', ...create({ name: 'Rich', starting_credit: '25.00' }), expect: { status: 201 }, check: ({ body }) => expect(body.org.credit_balance).toBe('25.000000') },
    { name: 'grants nothing for starting_credit "0"', ...create({ name: 'Poor', starting_credit: '0' }), expect: { status: 201 }, check: ({ body }) => expect(body.org.credit_balance).toBe('0.000000') },
    { name: 'answers 400 validation_failed without a name', ...create({}), expect: { status: 400, code: 'validation_failed', param: 'name' } },
    { name: 'answers 400 validation_failed for a name over 200 characters', ...create({ name: 'n'.repeat(201) }), expect: { status: 400, code: 'validation_failed', param: 'name' } },
    { name: 'answers 400 validation_failed for a malformed email', ...create({ name: 'x', email: 'nope' }), expect: { status: 400, code: 'validation_failed', param: 'email' } },
    { name: 'answers 400 validation_failed for a negative starting_credit', ...create({ name: 'x', starting_credit: '-1' }), expect: { status: 400, code: 'validation_failed', param: 'starting_credit' } },
    { name: 'answers 400 validation_failed for starting_credit with 7 decimals', ...create({ name: 'x', starting_credit: '1.0000001' }), expect: { status: 400, code: 'validation_failed', param: 'starting_credit' } },
  ])

  it('writes an org.create audit row naming the acting admin key', async () => {
    const { body } = await post('/v1/admin/orgs', { name: 'Audited' })
    const audit = await get(`/v1/admin/audit?subject_id=${body.org.id}`)
    expect(audit.body.data).toEqual([expect.objectContaining({ object: 'audit_entry', action: 'org.create', actor_key_id: adminKeyId(), subject_id: body.org.id, detail: expect.objectContaining({ name: 'Audited', first_key_id: body.api_key_id }) })])
  })
})

describe('GET /v1/admin/orgs and /v1/admin/orgs/{id}', () => {
  it('pages newest first with after/limit and no duplicates', async () => {
    const made: string[] = []
    for (let i = 0; i < 5; i++) {
      clock.advance(1000)
      made.push(app.newOrg().orgId)
    }
    const seen: string[] = []
    let after: string | null = null
    for (;;) {
      const page: Awaited<ReturnType<typeof get>> = await get(`/v1/admin/orgs?limit=2${after ? `&after=${after}` : ''}`)
      expect(page.status).toBe(200)
      expect(page.body.data.length).toBeLessThanOrEqual(2)
      seen.push(...page.body.data.map((o: { id: string }) => o.id))
      if (!page.body.has_more) break
      after = page.body.last_id
    }
    expect(seen.slice(0, 5)).toEqual([...made].reverse())
    expect(new Set(seen).size).toBe(seen.length)
  })

  it('shows balances in the list', async () => {
    clock.advance(1000)
    const org = app.newOrg('3.5')
    const { body } = await get('/v1/admin/orgs?limit=1')
    expect(body.data[0]).toMatchObject({ id: org.orgId, credit_balance: '3.500000', reserved_balance: '0.000000', currency: 'usd' })
  })

  runScenarios(() => app, ctx, [
    { name: 'answers 400 invalid_request for an unknown cursor', path: '/v1/admin/orgs?after=org_nope', auth: asAdmin, expect: { status: 400, code: 'invalid_request', param: 'after' } },
    { name: 'answers 400 validation_failed for limit 0', path: '/v1/admin/orgs?limit=0', auth: asAdmin, expect: { status: 400, code: 'validation_failed', param: 'limit' } },
    { name: 'answers 400 validation_failed for limit 101', path: '/v1/admin/orgs?limit=101', auth: asAdmin, expect: { status: 400, code: 'validation_failed', param: 'limit' } },
    { name: 'answers 200 with one org and its balance', path: (c) => `/v1/admin/orgs/${c.org.orgId}`, auth: asAdmin, expect: { status: 200 }, check: ({ body }, c) => expect(body).toMatchObject({ id: c.org.orgId, object: 'organization', credit_balance: '10.000000' }) },
    { name: 'answers 404 not_found for an unknown org', path: '/v1/admin/orgs/org_unknown', auth: asAdmin, expect: { status: 404, code: 'not_found' } },
  ])
})

describe('POST /v1/admin/orgs/{id}/credits', () => {
  const credit = (body: unknown): Omit<Scenario<Ctx>, 'name' | 'expect'> => ({ method: 'POST', path: (c) => `/v1/admin/orgs/${c.org.orgId}/credits`, auth: asAdmin, body })
  const ref = () => `ref-${crypto.randomUUID()}`
  runScenarios(() => app, ctx, [
    {
      name: 'answers 201 with a grant entry and the new balance',
      ...credit({ amount: '25.00', note: 'top-up', reference: 'inv-001-a' }),
      expect: { status: 201 },
      check: ({ body }, c) => {
        expect(body).toEqual({
          entry: { id: expect.any(Number), object: 'ledger_entry', org_id: c.org.orgId, kind: 'grant', amount: '25.000000', delta_available: '25.000000', delta_reserved: '0.000000', currency: 'usd', reference: 'op:inv-001-a', reservation_id: null, batch_id: null, note: 'top-up', created_at: expect.stringMatching(ISO) },
          replayed: false,
          balance: { credit_balance: '35.000000', reserved_balance: '0.000000', currency: 'usd' },
        })
      },
    },
    { name: 'answers 201 with an adjust entry for a negative amount', ...credit({ amount: '-4.5', note: 'refund correction', reference: ref() }), expect: { status: 201 }, check: ({ body }) => expect(body).toMatchObject({ entry: { kind: 'adjust', amount: '-4.500000', delta_available: '-4.500000' }, balance: { credit_balance: '5.500000' } }) },
    { name: 'allows an adjustment to exactly zero', ...credit({ amount: '-10', note: 'zero', reference: ref() }), expect: { status: 201 }, check: ({ body }) => expect(body.balance.credit_balance).toBe('0.000000') },
    {
      name: 'answers 402 insufficient_credits (x-should-retry: false) for an adjustment below zero',
      ...credit({ amount: '-10.000001', note: 'too much', reference: ref() }),
      expect: { status: 402, code: 'insufficient_credits', param: 'amount' },
      check: ({ headers }) => expect(headers.get('x-should-retry')).toBe('false'),
    },
    { name: 'answers 400 validation_failed for amount 0', ...credit({ amount: '0', note: 'n', reference: ref() }), expect: { status: 400, code: 'validation_failed', param: 'amount' } },
    { name: 'answers 400 validation_failed for amount "0.000000"', ...credit({ amount: '0.000000', note: 'n', reference: ref() }), expect: { status: 400, code: 'validation_failed', param: 'amount' } },
    { name: 'answers 400 validation_failed for more than 6 decimals', ...credit({ amount: '1.0000001', note: 'n', reference: ref() }), expect: { status: 400, code: 'validation_failed', param: 'amount' } },
    { name: 'answers 400 validation_failed for a numeric amount', ...credit({ amount: 25, note: 'n', reference: ref() }), expect: { status: 400, code: 'validation_failed', param: 'amount' } },
    { name: 'answers 400 validation_failed for an amount with an exponent', ...credit({ amount: '1e3', note: 'n', reference: ref() }), expect: { status: 400, code: 'validation_failed', param: 'amount' } },
    { name: 'answers 400 validation_failed without a reference', ...credit({ amount: '1.00', note: 'n' }), expect: { status: 400, code: 'validation_failed', param: 'reference' } },
    { name: 'answers 400 validation_failed for an empty reference', ...credit({ amount: '1.00', note: 'n', reference: '' }), expect: { status: 400, code: 'validation_failed', param: 'reference' } },
    { name: 'answers 400 validation_failed without a note', ...credit({ amount: '1.00', reference: ref() }), expect: { status: 400, code: 'validation_failed', param: 'note' } },
    { name: 'answers 404 not_found for an unknown org', method: 'POST', path: '/v1/admin/orgs/org_unknown/credits', auth: asAdmin, body: { amount: '1.00', note: 'n', reference: ref() }, expect: { status: 404, code: 'not_found' } },
  ])

  it('answers 200 with the original entry (replayed) for a repeated reference and grants once', async () => {
    const org = app.newOrg()
    const body = { amount: '5.00', note: 'once', reference: `inv-${org.orgId}` }
    const first = await post(`/v1/admin/orgs/${org.orgId}/credits`, body)
    const again = await post(`/v1/admin/orgs/${org.orgId}/credits`, body)
    expect(first.status).toBe(201)
    expect(again.status).toBe(200)
    expect(again.body.replayed).toBe(true)
    expect(again.body.entry).toEqual(first.body.entry)
    expect(again.body.balance.credit_balance).toBe('5.000000')
  })

  it('answers 409 idempotency_key_reused for a reference reused with a different amount or org', async () => {
    const org = app.newOrg()
    const other = app.newOrg()
    const reference = `inv-${org.orgId}`
    await post(`/v1/admin/orgs/${org.orgId}/credits`, { amount: '5.00', note: 'n', reference })
    for (const [target, amount] of [[org.orgId, '6.00'], [other.orgId, '5.00']] as const) {
      const res = await post(`/v1/admin/orgs/${target}/credits`, { amount, note: 'n', reference })
      expect({ status: res.status, code: res.body.error.code, param: res.body.error.param }).toEqual({ status: 409, code: 'idempotency_key_reused', param: 'reference' })
    }
  })

  it('cannot collide with system references such as starting-credit:…', async () => {
    const org = app.newOrg()
    const res = await post(`/v1/admin/orgs/${org.orgId}/credits`, { amount: '1.00', note: 'n', reference: `starting-credit:${org.orgId}` })
    expect(res.status).toBe(201)
    expect(res.body.entry.reference).toBe(`op:starting-credit:${org.orgId}`)
  })

  it('audits new grants and adjustments with the acting key, but not replays', async () => {
    const org = app.newOrg()
    await post(`/v1/admin/orgs/${org.orgId}/credits`, { amount: '2.00', note: 'g', reference: `a-${org.orgId}` })
    await post(`/v1/admin/orgs/${org.orgId}/credits`, { amount: '2.00', note: 'g', reference: `a-${org.orgId}` })
    await post(`/v1/admin/orgs/${org.orgId}/credits`, { amount: '-1.00', note: 'a', reference: `b-${org.orgId}` })
    const { body } = await get(`/v1/admin/audit?subject_id=${org.orgId}`)
    expect(body.data.map((e: { action: string; actor_key_id: string }) => [e.action, e.actor_key_id])).toEqual([['credits.adjust', adminKeyId()], ['credits.grant', adminKeyId()]])
  })
})

describe('GET /v1/admin/orgs/{id}/ledger and GET /v1/auth/account/ledger', () => {
  it('list the same entries newest first and page by after', async () => {
    const org = app.newOrg()
    for (let i = 1; i <= 3; i++) await post(`/v1/admin/orgs/${org.orgId}/credits`, { amount: `${i}.00`, note: `n${i}`, reference: `l${i}-${org.orgId}` })
    const all = await get(`/v1/admin/orgs/${org.orgId}/ledger`)
    expect(all.body.data.map((e: { amount: string }) => e.amount)).toEqual(['3.000000', '2.000000', '1.000000'])
    const own = await json(app.request('/v1/auth/account/ledger', { headers: org.auth }))
    expect(own.body).toEqual(all.body)
    const first = await get(`/v1/admin/orgs/${org.orgId}/ledger?limit=2`)
    expect(first.body).toMatchObject({ has_more: true, first_id: all.body.data[0].id, last_id: all.body.data[1].id })
    const rest = await get(`/v1/admin/orgs/${org.orgId}/ledger?limit=2&after=${first.body.last_id}`)
    expect(rest.body).toMatchObject({ has_more: false, data: [all.body.data[2]] })
  })

  it("never shows another org's entries", async () => {
    const a = app.newOrg('1')
    const b = app.newOrg('2')
    const own = await json(app.request('/v1/auth/account/ledger', { headers: a.auth }))
    expect(own.body.data.every((e: { org_id: string }) => e.org_id === a.orgId)).toBe(true)
    expect(JSON.stringify(own.body)).not.toContain(b.orgId)
  })

  runScenarios(() => app, ctx, [
    { name: 'answers 404 not_found for an unknown org', path: '/v1/admin/orgs/org_unknown/ledger', auth: asAdmin, expect: { status: 404, code: 'not_found' } },
    { name: 'answers 400 validation_failed for a non-numeric cursor', path: (c) => `/v1/admin/orgs/${c.org.orgId}/ledger?after=abc`, auth: asAdmin, expect: { status: 400, code: 'validation_failed', param: 'after' } },
    { name: 'answers 400 validation_failed for limit 101 on the customer ledger', path: '/v1/auth/account/ledger?limit=101', auth: (c) => bearer(c.org.key), expect: { status: 400, code: 'validation_failed', param: 'limit' } },
  ])
})

function insertBatch(deps: Deps, orgId: string, status: BatchStatus, createdAt: number, itemCount = 3): string {
  const id = newId('batch')
  deps.db
    .insert(batchesTable)
    .values({ id, orgId, status, shape: 'native', endpoint: '/v1/chat/completions', inputFileId: 'file_x', inputPath: '/dev/null', slaTier: 'standard', routingMode: 'cheapest', privacyTier: 'standard', policy: { routingMode: 'cheapest', privacyTier: 'standard', slaTier: 'standard', slaSeconds: 86_400, allowFallbacks: true }, itemCount, estimate: presentPriceBreakdown({ providerSubtotal: 0, fee: 0, discount: 0, slaAdjustment: 0, total: 0 }), lockedRates: {}, slaMultiplierBps: 10_000, reservedMicros: 0, createdAt, updatedAt: createdAt, slaDeadline: createdAt + 86_400_000, nextAttemptAt: createdAt })
    .run()
  return id
}

describe('GET /v1/admin/batches', () => {
  it('lists batches across orgs newest first, filters by org and status, and pages', async () => {
    const a = app.newOrg()
    const b = app.newOrg()
    const t0 = clock.now() + 1_000_000
    const ids = [insertBatch(app.deps, a.orgId, 'pending', t0), insertBatch(app.deps, b.orgId, 'processing', t0 + 1), insertBatch(app.deps, a.orgId, 'completed', t0 + 2, 7)]
    const all = await get('/v1/admin/batches?limit=3')
    expect(all.body.data).toEqual([
      { id: ids[2], org_id: a.orgId, status: 'completed', created_at: new Date(t0 + 2).toISOString(), item_count: 7 },
      { id: ids[1], org_id: b.orgId, status: 'processing', created_at: new Date(t0 + 1).toISOString(), item_count: 3 },
      { id: ids[0], org_id: a.orgId, status: 'pending', created_at: new Date(t0).toISOString(), item_count: 3 },
    ])
    expect((await get(`/v1/admin/batches?org_id=${a.orgId}`)).body.data.map((x: { id: string }) => x.id)).toEqual([ids[2], ids[0]])
    expect((await get(`/v1/admin/batches?org_id=${a.orgId}&status=pending`)).body.data.map((x: { id: string }) => x.id)).toEqual([ids[0]])
    const page1 = await get(`/v1/admin/batches?org_id=${a.orgId}&limit=1`)
    expect(page1.body).toMatchObject({ has_more: true, first_id: ids[2], last_id: ids[2] })
    const page2 = await get(`/v1/admin/batches?org_id=${a.orgId}&limit=1&after=${page1.body.last_id}`)
    expect(page2.body).toMatchObject({ has_more: false, first_id: ids[0] })
  })

  runScenarios(() => app, ctx, [
    { name: 'answers 400 invalid_request for an unknown cursor', path: '/v1/admin/batches?after=bat_nope', auth: asAdmin, expect: { status: 400, code: 'invalid_request', param: 'after' } },
    { name: 'answers 200 with an empty list for an org without batches', path: (c) => `/v1/admin/batches?org_id=${c.org.orgId}`, auth: asAdmin, expect: { status: 200 }, check: ({ body }) => expect(body).toEqual({ object: 'list', data: [], first_id: null, last_id: null, has_more: false }) },
  ])
})
