/**
 * Balances are JavaScript numbers of micro-dollars: a grant that would take one past
 * Number.MAX_SAFE_INTEGER (≈ 9.007 billion USD) is refused with 400 and nothing is written, so the
 * account pages that show the balance keep working (issue 13 item 7).
 */
import { afterAll, beforeAll, describe, expect, it } from 'bun:test'
import { json, startTestApp, type TestApp } from '../../helpers/test-app'
import { ledgerOfOrg } from '../../helpers/batch-helpers'

let app: TestApp
let admin: string
beforeAll(async () => {
  app = await startTestApp({ scheduler: false })
  admin = app.adminKey()
})
afterAll(() => app.close())

const grant = (orgId: string, amount: string, reference: string) =>
  json(app.request(`/v1/admin/orgs/${orgId}/credits`, { method: 'POST', headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' }, body: JSON.stringify({ amount, note: 'cap test', reference }) }))

describe('POST /v1/admin/orgs/{id}/credits near the largest balance', () => {
  it('grants up to the cap and refuses the grant that would pass it, naming amount; pages keep working', async () => {
    const org = app.newOrg()
    // 9 grants of 999,999,999.999999 USD: 8,999,999,999.999991 USD ≤ 9,007,199,254.740991 USD.
    for (let i = 0; i < 9; i++) expect((await grant(org.orgId, '999999999.999999', `cap-${i}`)).status).toBe(201)
    const entries = ledgerOfOrg(app, org.orgId).length
    const refused = await grant(org.orgId, '999999999.999999', 'cap-9')
    expect(refused.status).toBe(400)
    expect(refused.body.error).toMatchObject({ code: 'validation_failed', param: 'amount' })
    expect(refused.body.error.message).toContain('9007199254.740991')
    expect(ledgerOfOrg(app, org.orgId)).toHaveLength(entries)
    const small = await grant(org.orgId, '7000000.00', 'cap-small')
    expect(small.status).toBe(201)
    const account = await json(app.request('/v1/auth/account', { headers: org.auth }))
    expect(account.status).toBe(200)
    expect(account.body.credit_balance).toBe('9006999999.999991')
    expect((await json(app.request(`/v1/admin/orgs/${org.orgId}`, { headers: { authorization: `Bearer ${admin}` } }))).status).toBe(200)
    expect((await json(app.request('/v1/auth/account/ledger', { headers: org.auth }))).status).toBe(200)
  })
})
