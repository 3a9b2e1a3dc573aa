/**
 * The isolation matrix (issue 13), generated from the app's registered routes: every route has a
 * row saying what it exposes, and a route without a row fails the first test.
 *
 * - a route on one org's object answers another org 404 not_found (and the owner gets through);
 * - a list never shows another org's objects, even handed one as its cursor;
 * - no customer route answers one org with another org's ids;
 * - every admin route refuses a customer key with 403, every customer route an admin key;
 * - every guarded route refuses a node token (401/403): a forged one today, a real one through
 *   `realNodeToken` once the fleet lands.
 */
import { afterAll, beforeAll, describe, expect, it } from 'bun:test'
import { SignJWT } from 'jose'
import { FakeClock } from '../../src/lib/clock'
import { json, startTestApp, type TestApp } from '../helpers/test-app'
import { chatItem, driveToTerminal, jsonl, newKey, postBatch, postQuote, uploadJsonl } from '../helpers/batch-helpers'

interface Org {
  orgId: string
  key: string
  keyId: string
  auth: Record<string, string>
  batchId: string
  fileId: string
  quoteId: string
  spareKeyId: string
}

type Request = { path: string; body?: unknown }
/** What a route exposes, and so what the matrix checks. */
type Row =
  | { kind: 'object'; request: (owner: Org) => Request; statuses?: number[] } // another org gets 404 (or `statuses`)
  | { kind: 'list'; path: (owner: Org) => string } // another org's list shows none of the owner's ids
  | { kind: 'own'; request: (owner: Org) => Request } // acts on the caller's own org; shows nothing of others
  | { kind: 'admin'; request: (owner: Org) => Request } // operators see every org by design
  | { kind: 'public'; why: string }
  | { kind: 'node'; request: () => Request } // an edge node's own route: node token only

const openai = (org: Org) => ({ input_file_id: org.fileId, endpoint: '/v1/chat/completions', completion_window: '24h' })

const MATRIX: Record<string, Row> = {
  'GET /metrics': { kind: 'public', why: 'aggregate Prometheus counters, no org objects (admin-only with metrics.requireAdminKey)' },
  'GET /v1/docs': { kind: 'public', why: 'API reference page' },
  'GET /v1/docs/scalar.js': { kind: 'public', why: 'reference page script' },
  'GET /v1/openapi.json': { kind: 'public', why: 'OpenAPI document' },
  'POST /v1/auth/agent-register': { kind: 'public', why: 'self-service registration creates a new org' },
  'GET /v1/auth/account': { kind: 'own', request: () => ({ path: '/v1/auth/account' }) },
  'PUT /v1/auth/account/delivery-webhook': { kind: 'own', request: () => ({ path: '/v1/auth/account/delivery-webhook', body: { url: 'https://hooks.example.com/b', secret: 'secret-for-b-123' } }) },
  'DELETE /v1/auth/account/delivery-webhook': { kind: 'own', request: () => ({ path: '/v1/auth/account/delivery-webhook' }) },
  'POST /v1/auth/account/api-keys': { kind: 'own', request: () => ({ path: '/v1/auth/account/api-keys', body: { name: 'b' } }) },
  'GET /v1/auth/account/api-keys': { kind: 'list', path: () => '/v1/auth/account/api-keys' },
  'DELETE /v1/auth/account/api-keys/:id': { kind: 'object', request: (o) => ({ path: `/v1/auth/account/api-keys/${o.spareKeyId}` }) },
  'GET /v1/auth/account/ledger': { kind: 'list', path: () => '/v1/auth/account/ledger?limit=100' },
  'GET /v1/auth/account/spend': { kind: 'own', request: () => ({ path: '/v1/auth/account/spend?days=7' }) },
  // Console sign-in: the key in the body (or the session cookie) is the credential; no org object is named.
  'POST /v1/auth/session': { kind: 'public', why: 'exchanges the API key in its body for a session cookie' },
  'GET /v1/auth/session': { kind: 'public', why: 'reads the caller\'s own session cookie (401 without one)' },
  'DELETE /v1/auth/session': { kind: 'public', why: 'clears the caller\'s own session cookie' },
  'POST /v1/files': { kind: 'own', request: () => ({ path: '/v1/files', body: chatItem('b') }) },
  'GET /v1/files': { kind: 'list', path: (o) => `/v1/files?after=${o.fileId}` },
  'GET /v1/files/:id': { kind: 'object', request: (o) => ({ path: `/v1/files/${o.fileId}` }) },
  'GET /v1/files/:id/content': { kind: 'object', request: (o) => ({ path: `/v1/files/${o.fileId}/content` }) },
  'DELETE /v1/files/:id': { kind: 'object', request: (o) => ({ path: `/v1/files/${o.fileId}` }) },
  // A body naming another org's file or quote is a preflight failure (contract §5: 400, unknown file), exactly as for an id that does not exist.
  'POST /v1/quotes/model': { kind: 'object', request: (o) => ({ path: '/v1/quotes/model', body: { input_file_id: o.fileId } }), statuses: [400] },
  'POST /v1/batches/quote': { kind: 'object', request: (o) => ({ path: '/v1/batches/quote', body: { input_file_id: o.fileId } }), statuses: [400] },
  'POST /v1/batches': { kind: 'object', request: (o) => ({ path: '/v1/batches', body: { ...openai(o), metadata: { 'br.quote_id': o.quoteId } } }), statuses: [400] },
  'GET /v1/batches': { kind: 'list', path: (o) => `/v1/batches?after=${o.batchId}` },
  'GET /v1/batches/:id': { kind: 'object', request: (o) => ({ path: `/v1/batches/${o.batchId}?include_billing_receipt=true` }) },
  'POST /v1/batches/:id/cancel': { kind: 'object', request: (o) => ({ path: `/v1/batches/${o.batchId}/cancel` }) },
  'GET /v1/batches/:id/results': { kind: 'object', request: (o) => ({ path: `/v1/batches/${o.batchId}/results` }) },
  'GET /v1/batches/:id/artifact-url': { kind: 'object', request: (o) => ({ path: `/v1/batches/${o.batchId}/artifact-url` }) },
  'GET /v1/batches/:id/billing-receipt': { kind: 'object', request: (o) => ({ path: `/v1/batches/${o.batchId}/billing-receipt` }) },
  'GET /v1/batches/:id/receipt': { kind: 'object', request: (o) => ({ path: `/v1/batches/${o.batchId}/receipt` }) },
  'GET /v1/batches/:id/webhook-deliveries': { kind: 'object', request: (o) => ({ path: `/v1/batches/${o.batchId}/webhook-deliveries` }) },
  'GET /v1/artifacts/:token': { kind: 'public', why: 'the signed, expiring token is the credential (tested in features/batches/artifact-links)' },
  'GET /v1/catalog/models': { kind: 'public', why: 'catalog' },
  'GET /v1/pricing/fees': { kind: 'public', why: 'fees' },
  'GET /v1/models': { kind: 'own', request: () => ({ path: '/v1/models' }) },
  'GET /v1/models/:id': { kind: 'own', request: () => ({ path: '/v1/models/gpt-4o-mini' }) },
  'GET /v1/models/*': { kind: 'own', request: () => ({ path: '/v1/models/meta-llama/Llama-3.1-8B-Instruct' }) },
  'POST /v1/admin/orgs': { kind: 'admin', request: () => ({ path: '/v1/admin/orgs', body: { name: 'x' } }) },
  'GET /v1/admin/orgs': { kind: 'admin', request: () => ({ path: '/v1/admin/orgs' }) },
  'GET /v1/admin/orgs/:id': { kind: 'admin', request: (o) => ({ path: `/v1/admin/orgs/${o.orgId}` }) },
  'POST /v1/admin/orgs/:id/credits': { kind: 'admin', request: (o) => ({ path: `/v1/admin/orgs/${o.orgId}/credits`, body: { amount: '1.00', note: 'x', reference: 'matrix-1' } }) },
  'GET /v1/admin/orgs/:id/ledger': { kind: 'admin', request: (o) => ({ path: `/v1/admin/orgs/${o.orgId}/ledger` }) },
  'GET /v1/admin/batches': { kind: 'admin', request: (o) => ({ path: `/v1/admin/batches?org_id=${o.orgId}` }) },
  'GET /v1/admin/audit': { kind: 'admin', request: () => ({ path: '/v1/admin/audit' }) },
  'GET /v1/admin/overview': { kind: 'admin', request: () => ({ path: '/v1/admin/overview' }) },
  'GET /v1/admin/providers': { kind: 'admin', request: () => ({ path: '/v1/admin/providers' }) },
  'POST /v1/admin/catalog/reload': { kind: 'admin', request: () => ({ path: '/v1/admin/catalog/reload' }) },
  'POST /v1/admin/fleet/join-tokens': { kind: 'admin', request: () => ({ path: '/v1/admin/fleet/join-tokens', body: { trust_tier: 'standard', regions: ['eu-west-1'] } }) },
  'GET /v1/admin/fleet/join-tokens': { kind: 'admin', request: () => ({ path: '/v1/admin/fleet/join-tokens' }) },
  'DELETE /v1/admin/fleet/join-tokens/:token_id': { kind: 'admin', request: () => ({ path: '/v1/admin/fleet/join-tokens/jtok_ZZZZZZZZZZZZZZZZZZZZZZZZ' }) },
  'GET /v1/admin/fleet/nodes': { kind: 'admin', request: () => ({ path: '/v1/admin/fleet/nodes' }) },
  'GET /v1/admin/fleet/nodes/:id': { kind: 'admin', request: () => ({ path: '/v1/admin/fleet/nodes/node_ZZZZZZZZZZZZZZZZZZZZZZZZ' }) },
  'POST /v1/admin/fleet/nodes/:id/drain': { kind: 'admin', request: () => ({ path: '/v1/admin/fleet/nodes/node_ZZZZZZZZZZZZZZZZZZZZZZZZ/drain' }) },
  'DELETE /v1/admin/fleet/nodes/:id': { kind: 'admin', request: () => ({ path: '/v1/admin/fleet/nodes/node_ZZZZZZZZZZZZZZZZZZZZZZZZ' }) },
  'POST /v1/fleet/join': { kind: 'public', why: 'the join token in the body is the credential (contract §11)' },
  'POST /v1/fleet/heartbeat': { kind: 'node', request: () => ({ path: '/v1/fleet/heartbeat', body: { in_flight: 0, health: { upstream: 'ok' } } }) },
  'POST /v1/fleet/leases': { kind: 'node', request: () => ({ path: '/v1/fleet/leases', body: { max_items: 1 } }) },
  'POST /v1/fleet/leases/:lease_id/extend': { kind: 'node', request: () => ({ path: '/v1/fleet/leases/lease_ZZZZZZZZZZZZZZZZZZZZZZZZ/extend', body: {} }) },
  'POST /v1/fleet/leases/:lease_id/results': { kind: 'node', request: () => ({ path: '/v1/fleet/leases/lease_ZZZZZZZZZZZZZZZZZZZZZZZZ/results', body: { results: [{ item_id: 'item_x', attempt: 1, status: 'failed' }] } }) },
  'ALL /_sim/*': { kind: 'public', why: 'the demo-mode provider simulator (mounted only with --demo); holds no org objects' },
  'GET /healthz': { kind: 'public', why: 'liveness' },
  'GET /readyz': { kind: 'public', why: 'readiness' },
}

/** A real node token: an edge node that joined this router (its token must still be refused on every customer and admin route). */
const realNodeToken = async (app: TestApp): Promise<string> => {
  const adminAuth = { authorization: `Bearer ${app.adminKey()}`, 'content-type': 'application/json' }
  const minted = await json(app.request('/v1/admin/fleet/join-tokens', { method: 'POST', headers: adminAuth, body: JSON.stringify({ trust_tier: 'restricted', regions: ['eu-west-1'] }) }))
  const node = { name: 'matrix', version: '0', offerings: [{ model: 'llama-3.1-8b-instruct', operations: ['responses'] }], capacity: { concurrent_items: 1 } }
  const joined = await json(app.request('/v1/fleet/join', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ join_token: minted.body.join_token, node }) }))
  return joined.body.node_token as string
}

let app: TestApp
let a: Org
let b: Org
let admin: Record<string, string>

async function makeOrg(clock: FakeClock): Promise<Org> {
  const org = app.newOrg('10')
  const done = await postBatch(app, org.auth, { items: [chatItem('x')] }, newKey('matrix'))
  await driveToTerminal(app, clock, done.body.id)
  const fileId = await uploadJsonl(app, org.auth, jsonl([{ custom_id: 'r1', method: 'POST', url: '/v1/chat/completions', body: { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] } }]))
  const quote = await postQuote(app, org.auth, { items: [chatItem('q')] })
  const spare = await json(app.request('/v1/auth/account/api-keys', { method: 'POST', headers: org.auth }))
  return { ...org, batchId: done.body.id, fileId, quoteId: quote.body.quote_id, spareKeyId: spare.body.api_key_id }
}

beforeAll(async () => {
  const clock = new FakeClock()
  app = await startTestApp({ scheduler: false, clock, config: { demo: true } })
  a = await makeOrg(clock)
  b = await makeOrg(clock)
  admin = { authorization: `Bearer ${app.adminKey()}` }
})
afterAll(() => app.close())

const keyOf = (route: { method: string; template: string }) => `${route.method} ${route.template}`
const methodOf = (key: string) => key.split(' ')[0]!

function send(key: string, req: Request, auth: Record<string, string>) {
  const headers: Record<string, string> = { ...auth }
  let body: string | undefined
  if (req.body !== undefined) {
    body = key === 'POST /v1/files' ? jsonl([req.body]) : JSON.stringify(req.body)
    headers['content-type'] = key === 'POST /v1/files' ? 'application/jsonl' : 'application/json'
  }
  return json(app.request(req.path, { method: methodOf(key), headers, body }))
}

/** The request a row makes about `owner`'s objects (public rows have none). */
function requestOf(row: Row, owner: Org): Request {
  if (row.kind === 'public') throw new Error('public rows make no request')
  if (row.kind === 'node') return row.request()
  return row.kind === 'list' ? { path: row.path(owner) } : row.request(owner)
}

/** `req` with each of `owner`'s ids replaced by a well-formed id nobody was ever given. */
function withMadeUpIds(req: Request, owner: Org): Request {
  let text = JSON.stringify(req)
  for (const id of [owner.batchId, owner.fileId, owner.quoteId, owner.spareKeyId]) text = text.replaceAll(id, `${id.split('_')[0]}_${'Z'.repeat(24)}`)
  return JSON.parse(text)
}

/** Ids of `org` that must never appear in another org's answers, minus what the request itself named. */
function foreignIds(org: Org, req: Request): string[] {
  const named = req.path + JSON.stringify(req.body ?? '')
  return [org.orgId, org.keyId, org.spareKeyId, org.batchId, org.fileId, org.quoteId].filter((id) => !named.includes(id))
}

describe('isolation matrix (generated from the route table)', () => {
  it('has a row for every registered route and no row for a route that does not exist', () => {
    const registered = app.routes.map(keyOf).sort()
    expect(Object.keys(MATRIX).sort()).toEqual(registered)
  })

  it("answers 404 to another org's object on every object route, and lets the owner through", async () => {
    for (const [key, row] of Object.entries(MATRIX)) {
      if (row.kind !== 'object') continue
      const req = row.request(a)
      const res = await send(key, req, b.auth)
      expect({ key, status: res.status }).toEqual({ key, status: (row.statuses ?? [404])[0]! })
      // No existence oracle: the same answer as for ids that were never issued.
      const never = await send(key, withMadeUpIds(req, a), b.auth)
      expect({ key, status: never.status, code: never.body?.error?.code }).toEqual({ key, status: res.status, code: res.body?.error?.code })
      expect(JSON.stringify(res.body)).not.toContain(a.orgId)
      for (const id of foreignIds(a, req)) expect({ key, leaked: JSON.stringify(res.body).includes(id) }).toEqual({ key, leaked: false })
    }
    // The owner is let through on the read routes (so the paths above point at real objects).
    for (const key of ['GET /v1/files/:id', 'GET /v1/batches/:id', 'GET /v1/batches/:id/receipt', 'GET /v1/batches/:id/webhook-deliveries']) {
      const row = MATRIX[key] as Extract<Row, { kind: 'object' }>
      expect({ key, status: (await send(key, row.request(a), a.auth)).status }).toEqual({ key, status: 200 })
    }
    // Nothing of A's was changed by B's attempts.
    expect((await send('GET /v1/files/:id', { path: `/v1/files/${a.fileId}` }, a.auth)).status).toBe(200)
    expect((await json(app.request('/v1/auth/account', { headers: { authorization: `Bearer ${a.key}` } }))).status).toBe(200)
  })

  it("never lists another org's objects, even given one as the cursor", async () => {
    for (const [key, row] of Object.entries(MATRIX)) {
      if (row.kind !== 'list') continue
      const path = row.path(a)
      const res = await send(key, { path }, b.auth)
      expect({ key, ok: res.status === 200 || res.status === 400 || res.status === 404 }).toEqual({ key, ok: true })
      for (const id of foreignIds(a, { path })) expect({ key, leaked: JSON.stringify(res.body).includes(id) }).toEqual({ key, leaked: false })
    }
  })

  it("answers the caller's own routes with nothing of another org", async () => {
    for (const [key, row] of Object.entries(MATRIX)) {
      if (row.kind !== 'own') continue
      const req = row.request(a)
      const res = await send(key, req, b.auth)
      expect({ key, status: res.status < 400 }).toEqual({ key, status: true })
      for (const id of foreignIds(a, req)) expect({ key, leaked: JSON.stringify(res.body).includes(id) }).toEqual({ key, leaked: false })
    }
  })

  it('refuses a customer key on every admin route and an admin key on every customer route (403)', async () => {
    for (const route of app.routes) {
      const key = keyOf(route)
      const row = MATRIX[key]!
      if (route.auth === 'admin') {
        expect(row.kind).toBe('admin')
        const res = await send(key, (row as Extract<Row, { kind: 'admin' }>).request(a), b.auth)
        expect({ key, status: res.status, code: res.body?.error?.code }).toEqual({ key, status: 403, code: 'forbidden' })
      } else if (route.auth === 'customer') {
        expect(['object', 'list', 'own']).toContain(row.kind)
        const res = await send(key, requestOf(row, a), admin)
        expect({ key, status: res.status, code: res.body?.error?.code }).toEqual({ key, status: 403, code: 'forbidden' })
      } else if (route.auth === 'node') {
        // Node routes take only a node token: customer and admin keys are refused (403).
        expect(row.kind).toBe('node')
        for (const auth of [b.auth, admin]) {
          const res = await send(key, requestOf(row, a), auth)
          expect({ key, status: res.status, code: res.body?.error?.code }).toEqual({ key, status: 403, code: 'forbidden' })
        }
      } else {
        expect({ key, kind: row.kind }).toEqual({ key, kind: 'public' })
      }
    }
  })

  it('refuses a node token on every guarded route (401/403)', async () => {
    // Shaped like a fleet credential (a JWT for aud batchrouter-fleet, sub node_…) but not signed by this router.
    const forged = await new SignJWT({ jti: 'x' }).setProtectedHeader({ alg: 'HS256' }).setAudience('batchrouter-fleet').setSubject('node_forged').setExpirationTime('1h').sign(new TextEncoder().encode('not-the-router-key-0123456789abcdef'))
    const tokens = [forged, ...(realNodeToken ? [await realNodeToken(app)] : [])]
    for (const token of tokens) {
      for (const route of app.routes.filter((r) => r.auth !== 'public' && r.auth !== 'node')) {
        const key = keyOf(route)
        const row = MATRIX[key]!
        const res = await send(key, requestOf(row, a), { authorization: `Bearer ${token}` })
        expect({ key, refused: res.status === 401 || res.status === 403 }).toEqual({ key, refused: true })
      }
    }
  })
})
