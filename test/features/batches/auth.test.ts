/** The shared auth contract suite over every batch, quote and model route. */
import { afterAll, beforeAll } from 'bun:test'
import { runAuthSuite, type SuiteOrg } from '../../contract/auth-suite'
import { json, startTestApp, type TestApp } from '../../helpers/test-app'
import { grantCredits } from '../../../src/features/credits/index'

let shared: TestApp
beforeAll(async () => {
  // No scheduler: the batch stays pending, so every read route has a stable object to look at.
  shared = await startTestApp({ scheduler: false, config: { demo: true } })
})
afterAll(() => shared.close())
const app = () => shared

const ITEM = { customer_item_id: 'a-1', operation: 'responses', model: 'gpt-4o-mini', input: { messages: [{ role: 'user', content: 'hello' }] } }
let seq = 0

/** Creates a one-item batch owned by `org` and returns its id. */
async function createBatch(a: TestApp, org: SuiteOrg): Promise<string> {
  grantCredits(a.deps, { orgId: org.orgId, amount: 1_000_000, reference: `auth-suite-${org.orgId}-${seq++}` })
  const res = await json(a.request('/v1/batches', { method: 'POST', headers: { ...org.auth, 'content-type': 'application/json', 'idempotency-key': `auth-suite-${seq++}-key` }, body: JSON.stringify({ items: [ITEM] }) }))
  if (res.status !== 202) throw new Error(`create failed: ${res.status} ${JSON.stringify(res.body)}`)
  return res.body.id
}

const onBatch = (suffix: string) => async (a: TestApp, org: SuiteOrg) => `/v1/batches/${await createBatch(a, org)}${suffix}`

runAuthSuite('POST /v1/quotes/model', { app, method: 'POST', path: '/v1/quotes/model', body: { items: [ITEM] } })
runAuthSuite('POST /v1/batches/quote', { app, method: 'POST', path: '/v1/batches/quote', body: { items: [ITEM] } })
runAuthSuite('POST /v1/batches', { app, method: 'POST', path: '/v1/batches', body: { items: [ITEM] }, headers: { 'idempotency-key': 'auth-suite-create' } })
runAuthSuite('GET /v1/batches', { app, method: 'GET', path: '/v1/batches' })
runAuthSuite('GET /v1/batches/{id}', { app, method: 'GET', path: onBatch('') })
runAuthSuite('POST /v1/batches/{id}/cancel', { app, method: 'POST', path: onBatch('/cancel') })
runAuthSuite('GET /v1/batches/{id}/results', { app, method: 'GET', path: onBatch('/results') })
runAuthSuite('GET /v1/batches/{id}/artifact-url', { app, method: 'GET', path: onBatch('/artifact-url') })
runAuthSuite('GET /v1/batches/{id}/billing-receipt', { app, method: 'GET', path: onBatch('/billing-receipt') })
runAuthSuite('GET /v1/batches/{id}/receipt', { app, method: 'GET', path: onBatch('/receipt') })
runAuthSuite('GET /v1/models', { app, method: 'GET', path: '/v1/models' })
runAuthSuite('GET /v1/models/{id}', { app, method: 'GET', path: '/v1/models/gpt-4o-mini' })
