/**
 * Runs the shared auth suite over every protected route of /v1/auth and /v1/admin, and fails when
 * a route under those prefixes exists without an entry here.
 */
import { afterAll, beforeAll, describe, expect, it } from 'bun:test'
import { runAuthSuite, type AuthSuiteOptions } from './auth-suite'
import { startTestApp, type TestApp } from '../helpers/test-app'
import { createHttpBase } from '../../src/http/server'
import { mountRoutes } from '../../src/http/routes'
import { insertApiKey } from '../../src/features/api-keys'
import { createJoinToken } from '../../src/features/fleet'
import { joinRaw, nodeBody } from '../helpers/fleet'

let shared: TestApp
beforeAll(async () => {
  // Every route's suite fails authentication from one address many times; the per-address limit (tested in test/http/rate-limit.test.ts) would answer 429 first.
  shared = await startTestApp({ config: { rateLimits: { failedAuthPerAddress: 100_000 } } })
})
afterAll(() => shared.close())
const app = () => shared

/** A node that joined `a` (for the node routes' objects). */
async function joinedNode(a: TestApp): Promise<string> {
  const { token } = await createJoinToken(a.deps, null, { trust_tier: 'standard', regions: ['eu-west-1'] })
  return (await joinRaw(a, token, nodeBody('suite', ['llama-3.1-8b-instruct']))).body.node_id
}

/** Every protected route under the prefixes this suite owns, keyed "METHOD /path/:param". */
const PROTECTED: Record<string, Omit<AuthSuiteOptions, 'app'>> = {
  'GET /v1/auth/account': { method: 'GET', path: '/v1/auth/account' },
  'POST /v1/auth/account/api-keys': { method: 'POST', path: '/v1/auth/account/api-keys', body: { name: 'ci' } },
  'GET /v1/auth/account/api-keys': { method: 'GET', path: '/v1/auth/account/api-keys' },
  'DELETE /v1/auth/account/api-keys/:id': {
    method: 'DELETE',
    path: (a, org) => `/v1/auth/account/api-keys/${insertApiKey(a.deps, { orgId: org.orgId, kind: 'live', name: 'victim' }).id}`,
  },
  'PUT /v1/auth/account/delivery-webhook': { method: 'PUT', path: '/v1/auth/account/delivery-webhook', body: { url: 'https://example.com/hook', secret: 'whsec_12345678' } },
  'DELETE /v1/auth/account/delivery-webhook': { method: 'DELETE', path: '/v1/auth/account/delivery-webhook' },
  'GET /v1/auth/account/ledger': { method: 'GET', path: '/v1/auth/account/ledger' },
  'GET /v1/auth/account/spend': { method: 'GET', path: '/v1/auth/account/spend' },
  'POST /v1/admin/orgs': { method: 'POST', path: '/v1/admin/orgs', body: { name: 'Suite org' } },
  'GET /v1/admin/orgs': { method: 'GET', path: '/v1/admin/orgs' },
  'GET /v1/admin/orgs/:id': { method: 'GET', admin: true, path: (_a, org) => `/v1/admin/orgs/${org.orgId}` },
  'POST /v1/admin/orgs/:id/credits': {
    method: 'POST',
    admin: true,
    path: (_a, org) => `/v1/admin/orgs/${org.orgId}/credits`,
    body: () => ({ amount: '1.00', note: 'auth suite', reference: `suite-${crypto.randomUUID()}` }),
  },
  'GET /v1/admin/orgs/:id/ledger': { method: 'GET', admin: true, path: (_a, org) => `/v1/admin/orgs/${org.orgId}/ledger` },
  'GET /v1/admin/batches': { method: 'GET', path: '/v1/admin/batches' },
  'GET /v1/admin/audit': { method: 'GET', path: '/v1/admin/audit' },
  // The shared app has no config file, so a let-through admin call answers 409 no_config_file.
  'POST /v1/admin/catalog/reload': { method: 'POST', path: '/v1/admin/catalog/reload' },
  'GET /v1/admin/providers': { method: 'GET', path: '/v1/admin/providers' },
  'GET /v1/admin/overview': { method: 'GET', path: '/v1/admin/overview' },
  'POST /v1/admin/fleet/join-tokens': { method: 'POST', path: '/v1/admin/fleet/join-tokens', body: { trust_tier: 'standard', regions: ['eu-west-1'] } },
  'GET /v1/admin/fleet/join-tokens': { method: 'GET', path: '/v1/admin/fleet/join-tokens' },
  'DELETE /v1/admin/fleet/join-tokens/:token_id': { method: 'DELETE', admin: true, path: async (a) => `/v1/admin/fleet/join-tokens/${(await createJoinToken(a.deps, null, { trust_tier: 'standard', regions: ['eu-west-1'] })).row.id}` },
  'GET /v1/admin/fleet/nodes': { method: 'GET', path: '/v1/admin/fleet/nodes' },
  'GET /v1/admin/fleet/nodes/:id': { method: 'GET', admin: true, path: async (a) => `/v1/admin/fleet/nodes/${await joinedNode(a)}` },
  'POST /v1/admin/fleet/nodes/:id/drain': { method: 'POST', admin: true, path: async (a) => `/v1/admin/fleet/nodes/${await joinedNode(a)}/drain` },
  'DELETE /v1/admin/fleet/nodes/:id': { method: 'DELETE', admin: true, path: async (a) => `/v1/admin/fleet/nodes/${await joinedNode(a)}` },
}

/**
 * Routes under the same prefixes that take no bearer key, on purpose: registration, and the
 * console session (sign-in takes the key in its body; GET and DELETE read the session cookie —
 * test/features/api-keys/session.test.ts covers them).
 */
const PUBLIC = new Set(['POST /v1/auth/agent-register', 'POST /v1/auth/session', 'GET /v1/auth/session', 'DELETE /v1/auth/session'])

for (const [name, opts] of Object.entries(PROTECTED)) runAuthSuite(name, { ...opts, app })

describe('auth suite coverage', () => {
  it('covers every route under /v1/auth and /v1/admin', () => {
    const routes = mountRoutes(createHttpBase(shared.deps), shared.deps)
      .routes.filter((r) => r.path.startsWith('/v1/auth') || r.path.startsWith('/v1/admin'))
      .map((r) => `${r.method} ${r.path}`)
    const missing = routes.filter((r) => !(r in PROTECTED) && !PUBLIC.has(r))
    expect(missing, 'add these routes to test/contract/auth-routes.test.ts').toEqual([])
    expect(routes.length).toBeGreaterThanOrEqual(Object.keys(PROTECTED).length)
  })
})
