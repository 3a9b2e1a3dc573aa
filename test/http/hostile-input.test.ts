/**
 * Input that used to answer 500 or be accepted when it should not (issue 13 items 3 and 5):
 * non-integer, huge and negative list limits on every list; JSON nested 20,000+ levels deep in any
 * JSON body; a JSONL line 100,000 levels deep; numbers too large to represent; wrongly typed chat
 * parameters; metadata that is not an object. Each answers 4xx with the envelope naming what to
 * fix, and stores nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'bun:test'
import { json, startTestApp, type TestApp } from '../helpers/test-app'
import { chatItem, jsonl, newKey, postBatch, postQuote, storeTrace, uploadJsonl } from '../helpers/batch-helpers'
import { ingestJsonlFile } from '../../src/features/items/ingest'
import { createJoinToken } from '../../src/features/fleet'
import { joinRaw, nodeBody } from '../helpers/fleet'

let app: TestApp
let org: ReturnType<TestApp['newOrg']>
let admin: string
let batchId: string
/** A real edge node's token, for the fleet's node routes. */
let nodeToken: string

beforeAll(async () => {
  app = await startTestApp({ scheduler: false, config: { demo: true } })
  org = app.newOrg('5')
  admin = app.adminKey()
  const created = await postBatch(app, org.auth, { items: [chatItem('a')] }, newKey('hostile'))
  expect(created.status).toBe(202)
  batchId = created.body.id
  const { token } = await createJoinToken(app.deps, null, { trust_tier: 'standard', regions: ['eu-west-1'] })
  nodeToken = (await joinRaw(app, token, nodeBody('hostile', ['llama-3.1-8b-instruct']))).body.node_token
})
afterAll(() => app.close())

const deep = (levels: number) => '['.repeat(levels) + ']'.repeat(levels)

/** A concrete path for a route template: ids of this org's batch and org, anything else made up. */
function concretePath(template: string): string {
  return template.replace(':id', template.startsWith('/v1/admin/orgs') ? org.orgId : batchId).replace(/:[^/]+/g, 'x_1').replace('*', 'x')
}

function authFor(route: { auth: string }) {
  if (route.auth === 'node') return { authorization: `Bearer ${nodeToken}` }
  return route.auth === 'admin' ? { authorization: `Bearer ${admin}` } : route.auth === 'customer' ? org.auth : {}
}

describe('list query numbers', () => {
  it('answers 400 validation_failed naming `limit` for fractions, huge, negative and non-numbers on every list', async () => {
    const doc = (await json(app.request('/v1/openapi.json'))).body
    const lists = Object.entries<any>(doc.paths).flatMap(([path, ops]) => (ops.get?.parameters ?? []).some((p: any) => p.in === 'query' && p.name === 'limit') ? [path] : [])
    expect(lists).toEqual(expect.arrayContaining(['/v1/batches', '/v1/batches/{id}/results', '/v1/files', '/v1/auth/account/ledger', '/v1/admin/orgs', '/v1/admin/batches', '/v1/admin/audit', '/v1/batches/{id}/webhook-deliveries']))
    for (const path of lists) {
      const route = app.routes.find((r) => r.method === 'GET' && r.template === path.replace(/\{(\w+)\}/g, ':$1'))!
      for (const value of ['1.5', '1e400', '-1', '0', 'abc', '99999999999999999999', 'NaN', '']) {
        const res = await json(app.request(`${concretePath(route.template)}?limit=${encodeURIComponent(value)}`, { headers: authFor(route) }))
        expect({ path, value, status: res.status }).toEqual({ path, value, status: 400 })
        expect(res.body.error.code).toBe('validation_failed')
        expect(res.body.error.param).toBe('limit')
      }
    }
  })

  it('answers 400 for a numeric cursor past the safe integers', async () => {
    const res = await json(app.request('/v1/auth/account/ledger?after=99999999999999999999', { headers: org.auth }))
    expect(res.status).toBe(400)
    expect(res.body.error.param).toBe('after')
  })
})

describe('JSON nesting limit', () => {
  it('answers 400 (never a stack overflow) to 20,000-deep JSON on every JSON route', async () => {
    const jsonRoutes = app.routes.filter((r) => r.body === 'json')
    expect(jsonRoutes.map((r) => r.template)).toEqual(expect.arrayContaining(['/v1/auth/agent-register', '/v1/quotes/model', '/v1/batches', '/v1/admin/orgs']))
    for (const route of jsonRoutes) {
      const before = storeTrace(app)
      const res = await json(app.request(concretePath(route.template), { method: route.method, headers: { ...authFor(route), 'content-type': 'application/json', 'idempotency-key': newKey('deep') }, body: `{"name":${deep(20_000)},"metadata":{"a":${deep(20_000)}}}` }))
      expect({ route: route.template, status: res.status }).toEqual({ route: route.template, status: 400 })
      expect(res.body.error.message).toContain('64 levels')
      expect(storeTrace(app)).toEqual(before)
    }
  })

  it('keeps the limit inside items and metadata of a create and a quote', async () => {
    const nested = { customer_item_id: 'a', operation: 'responses', model: 'gpt-4o-mini', input: { messages: [{ role: 'user', content: 'hi' }] } }
    const body = JSON.stringify({ items: [nested] }).replace('"hi"', deep(30_000))
    expect((await postQuote(app, org.auth, body)).status).toBe(400)
    const before = storeTrace(app)
    const created = await postBatch(app, org.auth, `{"items":[${JSON.stringify(nested)}],"metadata":{"m":${deep(25_000)}}}`, newKey('deep'))
    expect(created.status).toBe(400)
    expect(storeTrace(app)).toEqual(before)
  })

  it('accepts nesting up to the limit (64 levels)', async () => {
    const body = JSON.stringify({ items: [chatItem('a', 'gpt-4o-mini', { response_format: { type: 'json_schema', json_schema: JSON.parse('{"a":'.repeat(55) + '1' + '}'.repeat(55)) } })] })
    expect((await postQuote(app, org.auth, body)).status).toBe(200)
  })

  it('refuses a JSONL line 100,000 levels deep at upload, naming the line', async () => {
    const before = storeTrace(app)
    const text = jsonl([chatItem('ok'), `{"custom_id":"x","method":"POST","url":"/v1/chat/completions","body":{"model":"gpt-4o-mini","messages":[{"role":"user","content":"hi"}],"x":${deep(100_000)}}}`])
    const res = await json(app.request('/v1/files', { method: 'POST', headers: { ...org.auth, 'content-type': 'application/jsonl' }, body: text }))
    expect(res.status).toBe(400)
    expect(res.body.error.details.line).toBe(2)
    expect(res.body.error.message).toContain('64 levels')
    expect(storeTrace(app)).toEqual(before)
  })

  it('refuses such a line at create too (ingest reports it as a line problem)', async () => {
    const path = `${app.deps.paths.tmp}/deep.jsonl`
    await Bun.write(path, jsonl([chatItem('ok'), `{"customer_item_id":"x","operation":"responses","model":"gpt-4o-mini","input":{"messages":[{"role":"user","content":${deep(100_000)}}]}}`]))
    const result = await ingestJsonlFile(path, { catalog: app.deps.catalog(), maxItems: 10, lineBytes: 4 * 1024 * 1024 })
    expect(result.items).toHaveLength(1)
    expect(result.problems).toEqual([expect.objectContaining({ line: 2, code: 'invalid_json', message: expect.stringContaining('64 levels') })])
  })
})

describe('values that must not be accepted', () => {
  it('refuses max_tokens: 1e999 (Infinity) in a quote and a create, naming the param, storing nothing', async () => {
    const raw = JSON.stringify({ items: [chatItem('a', 'gpt-4o-mini', { max_tokens: 7 })] }).replace('"max_tokens":7', '"max_tokens":1e999')
    const quote = await postQuote(app, org.auth, raw)
    expect(quote.status).toBe(400)
    expect(quote.body.error.param).toBe('items[0].input.max_tokens')
    const before = storeTrace(app)
    const created = await postBatch(app, org.auth, raw, newKey('inf'))
    expect(created.status).toBe(400)
    expect(created.body.error.param).toBe('items[0].input.max_tokens')
    expect(storeTrace(app)).toEqual(before)
  })

  it('refuses a too-large number inside a JSONL batch input at create, naming the line and param', async () => {
    const line = JSON.stringify({ custom_id: 'a', method: 'POST', url: '/v1/chat/completions', body: { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }], logit_bias: { '50256': 7 } } }).replace(':7}', ':-1e999}')
    const fileId = await uploadJsonl(app, org.auth, jsonl([line]))
    const before = storeTrace(app)
    const res = await postBatch(app, org.auth, { input_file_id: fileId, endpoint: '/v1/chat/completions', completion_window: '24h' })
    expect(res.status).toBe(400)
    expect(res.body.error.details.preflight).toEqual([expect.objectContaining({ line: 1, param: 'body.logit_bias.50256' })])
    expect(storeTrace(app)).toEqual(before)
  })

  it('refuses wrongly typed chat parameters with a preflight error naming each', async () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ temperature: 'hot' }, 'input.temperature'],
      [{ temperature: 9 }, 'input.temperature'],
      [{ top_p: '0.5' }, 'input.top_p'],
      [{ seed: 1.5 }, 'input.seed'],
      [{ stop: 5 }, 'input.stop'],
      [{ presence_penalty: [] }, 'input.presence_penalty'],
      [{ response_format: 'json' }, 'input.response_format'],
    ]
    for (const [params, param] of cases) {
      const before = storeTrace(app)
      const res = await postBatch(app, org.auth, { items: [chatItem('a', 'gpt-4o-mini', params)] }, newKey('typed'))
      expect({ params, status: res.status, code: res.body.error?.code }).toEqual({ params, status: 400, code: 'preflight_failed' })
      expect(res.body.error.details.preflight[0].param).toBe(param)
      expect(storeTrace(app)).toEqual(before)
    }
  })

  it('still accepts the usual chat parameters', async () => {
    const params = { temperature: 0.7, top_p: 1, seed: 42, stop: ['END'], presence_penalty: 0, frequency_penalty: null, response_format: { type: 'json_object' }, tool_choice: 'auto', user: 'u-1' }
    expect((await postQuote(app, org.auth, { items: [chatItem('a', 'gpt-4o-mini', params)] })).status).toBe(200)
  })

  it('refuses metadata that is not an object (array, string, number) and stores nothing', async () => {
    for (const metadata of [[1, 2], 'tag', 7, true]) {
      const before = storeTrace(app)
      const res = await postBatch(app, org.auth, { items: [chatItem('a')], metadata }, newKey('meta'))
      expect({ metadata, status: res.status }).toEqual({ metadata, status: 400 })
      expect(res.body.error.param).toBe('metadata')
      expect(storeTrace(app)).toEqual(before)
    }
  })

  it('refuses other object fields sent as strings instead of rewriting them into objects', async () => {
    const res = await postBatch(app, org.auth, { items: [chatItem('a')], provider_preferences: 'openai' }, newKey('pp'))
    expect(res.status).toBe(400)
    expect(res.body.error.param).toBe('provider_preferences')
  })
})
