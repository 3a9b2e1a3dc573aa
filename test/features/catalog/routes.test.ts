import { afterAll, beforeAll, describe, expect, it } from 'bun:test'
import { json, startTestApp, type TestApp } from '../../helpers/test-app'

const ALL_SLUGS = [
  'gpt-4o-mini',
  'gpt-4o',
  'gpt-4.1-mini',
  'text-embedding-3-small',
  'text-embedding-3-large',
  'claude-haiku-4-5',
  'claude-sonnet-4-5',
  'claude-3-5-haiku',
  'llama-3.1-8b-instruct',
  'nomic-embed-text',
]
const PRICING_CREATED = Date.UTC(2026, 7, 21) / 1000

let app: TestApp
let customer: ReturnType<TestApp['newOrg']>
beforeAll(async () => {
  app = await startTestApp({ scheduler: false })
  customer = app.newOrg()
})
afterAll(() => app.close())

describe('GET /v1/catalog/models', () => {
  const filterScenarios: Array<{ name: string; query: string; slugs: string[]; offeringProviders?: string[] }> = [
    { name: 'no filter lists every model in catalog order', query: '', slugs: ALL_SLUGS },
    { name: 'operation=embeddings', query: 'operation=embeddings', slugs: ['text-embedding-3-small', 'text-embedding-3-large', 'nomic-embed-text'] },
    { name: 'operation=vision', query: 'operation=vision', slugs: ['gpt-4o-mini', 'gpt-4o', 'gpt-4.1-mini', 'claude-haiku-4-5', 'claude-sonnet-4-5', 'claude-3-5-haiku'] },
    { name: 'provider=anthropic keeps only its offerings', query: 'provider=anthropic', slugs: ['claude-haiku-4-5', 'claude-sonnet-4-5', 'claude-3-5-haiku'], offeringProviders: ['anthropic'] },
    { name: 'provider=edge matches the serving provider, not the maker', query: 'provider=edge', slugs: ['llama-3.1-8b-instruct', 'nomic-embed-text'], offeringProviders: ['edge'] },
    { name: 'filters combine', query: 'provider=edge&operation=embeddings', slugs: ['nomic-embed-text'], offeringProviders: ['edge'] },
    { name: 'an unknown operation matches nothing', query: 'operation=speech', slugs: [] },
    { name: 'values are case-sensitive', query: 'operation=EMBEDDINGS', slugs: [] },
    { name: 'an unknown provider matches nothing', query: 'provider=nobody', slugs: [] },
    { name: 'a hosted tool no offering runs matches nothing', query: 'hosted_tool=web_search', slugs: [] },
    { name: 'unrelated query parameters are ignored', query: 'operation=embeddings&_=123', slugs: ['text-embedding-3-small', 'text-embedding-3-large', 'nomic-embed-text'] },
  ]
  for (const s of filterScenarios) {
    it(`answers 200 for ${s.name}`, async () => {
      const { status, body } = await json(app.request(`/v1/catalog/models${s.query ? `?${s.query}` : ''}`))
      expect(status).toBe(200)
      expect(body.data.map((m: any) => m.slug)).toEqual(s.slugs)
      if (s.offeringProviders) {
        for (const m of body.data) expect([...new Set(m.provider_offerings.map((o: any) => o.provider))]).toEqual(s.offeringProviders)
      }
    })
  }

  const badScenarios = ['operation=', 'provider=', 'hosted_tool=', 'operation=embeddings&operation=responses', 'provider[]=openai']
  for (const query of badScenarios) {
    it(`answers 400 validation_failed for ?${query}`, async () => {
      const { status, body } = await json(app.request(`/v1/catalog/models?${query}`))
      expect(status).toBe(400)
      expect(body.error).toMatchObject({ code: 'validation_failed', type: 'invalid_request_error' })
      expect(body.error.param).toBe(query.split(/[=[]/)[0])
    })
  }

  it('is public and presents models, offerings and prices as in the contract', async () => {
    const { status, body } = await json(app.request('/v1/catalog/models'))
    expect(status).toBe(200)
    expect(body.provider_count).toBe(4)
    expect(body.pricing_updated_at).toBe('2026-08-21T00:00:00.000Z')
    const mini = body.data.find((m: any) => m.slug === 'gpt-4o-mini')
    expect(mini).toEqual({
      slug: 'gpt-4o-mini',
      display_name: 'GPT-4o mini',
      provider: 'openai',
      aliases: ['gpt-4o-mini-2024-07-18'],
      operations: ['responses', 'vision'],
      context_window: 128_000,
      max_input_tokens: 128_000 - 16_384,
      max_output_tokens: 16_384,
      provider_offerings: [
        {
          offering_id: 'openai-batch-gpt-4o-mini',
          provider: 'openai',
          lane_kind: 'public',
          pricing: { currency: 'usd', input_per_1m: '0.075000', output_per_1m: '0.300000', cached_input_per_1m: '0.037500' },
          capacity: { max_batch_items: 50_000, status: 'unavailable' },
          regions: ['us', 'eu'],
          retention: { zdr: false, days: 30 },
          privacy_tiers: ['standard'],
          hosted_tools: [],
          turnaround_seconds: 6 * 3600,
          available: false,
        },
      ],
    })
  })

  it('gives embedding models their whole context window as input and null cached prices when none is published', async () => {
    const { body } = await json(app.request('/v1/catalog/models?operation=embeddings'))
    const small = body.data.find((m: any) => m.slug === 'text-embedding-3-small')
    expect(small.max_input_tokens).toBe(small.context_window)
    expect(small.provider_offerings[0].pricing).toEqual({ currency: 'usd', input_per_1m: '0.010000', output_per_1m: '0.000000', cached_input_per_1m: null })
  })

  it('marks every offering unavailable while no provider is configured', async () => {
    const { body } = await json(app.request('/v1/catalog/models'))
    const offerings = body.data.flatMap((m: any) => m.provider_offerings)
    expect(offerings.length).toBeGreaterThan(0)
    expect(offerings.every((o: any) => o.available === false && o.capacity.status === 'unavailable')).toBe(true)
  })
})

describe('GET /v1/pricing/fees', () => {
  it('answers the default fee schedule without a key', async () => {
    const { status, body } = await json(app.request('/v1/pricing/fees'))
    expect(status).toBe(200)
    expect(body).toEqual({
      currency: 'usd',
      batch_fee_bps: 590,
      minimum_charge: '0.000000',
      discounts: [],
      sla_multipliers: { standard: 1, flex: 0.95, priority: 1.5 },
      updated_at: '2026-08-21T00:00:00.000Z',
    })
  })
})

describe('GET /v1/models', () => {
  const authScenarios: Array<{ name: string; headers: () => Record<string, string>; status: number; code: string }> = [
    { name: 'no key', headers: () => ({}), status: 401, code: 'unauthorized' },
    { name: 'a malformed key', headers: () => ({ authorization: 'Bearer nope' }), status: 401, code: 'unauthorized' },
    { name: 'an unknown key', headers: () => ({ authorization: `Bearer br_live_${'x'.repeat(32)}` }), status: 401, code: 'unauthorized' },
    { name: 'an admin key', headers: () => ({ authorization: `Bearer ${app.adminKey()}` }), status: 403, code: 'forbidden' },
  ]
  for (const path of ['/v1/models', '/v1/models/gpt-4o-mini']) {
    for (const s of authScenarios) {
      it(`${path} answers ${s.status} ${s.code} with ${s.name}`, async () => {
        const { status, body } = await json(app.request(path, { headers: s.headers() }))
        expect(status).toBe(s.status)
        expect(body.error.code).toBe(s.code)
      })
    }
  }

  it('lists every slug and alias as an OpenAI model object', async () => {
    const { status, body } = await json(app.request('/v1/models', { headers: customer.auth }))
    expect(status).toBe(200)
    expect(body.object).toBe('list')
    const ids = body.data.map((m: any) => m.id)
    expect(ids).toEqual(expect.arrayContaining([...ALL_SLUGS, 'gpt-4o-mini-2024-07-18', 'claude-3-5-haiku-latest', 'meta-llama/Llama-3.1-8B-Instruct']))
    expect(new Set(ids).size).toBe(ids.length)
    for (const m of body.data) expect(m).toEqual({ id: m.id, object: 'model', created: PRICING_CREATED, owned_by: expect.any(String) })
    expect(body.data.find((m: any) => m.id === 'nomic-embed-text-v1.5').owned_by).toBe('nomic')
  })

  const retrieveScenarios: Array<{ path: string; status: number; id?: string; ownedBy?: string }> = [
    { path: '/v1/models/gpt-4o-mini', status: 200, id: 'gpt-4o-mini', ownedBy: 'openai' },
    { path: '/v1/models/claude-3-5-haiku-latest', status: 200, id: 'claude-3-5-haiku-latest', ownedBy: 'anthropic' },
    { path: '/v1/models/meta-llama%2FLlama-3.1-8B-Instruct', status: 200, id: 'meta-llama/Llama-3.1-8B-Instruct', ownedBy: 'meta' },
    { path: '/v1/models/meta-llama/Llama-3.1-8B-Instruct', status: 200, id: 'meta-llama/Llama-3.1-8B-Instruct', ownedBy: 'meta' },
    { path: '/v1/models/gpt-5-ultra', status: 404 },
    { path: '/v1/models/GPT-4O-MINI', status: 404 },
    { path: '/v1/models/a/b', status: 404 },
  ]
  for (const s of retrieveScenarios) {
    it(`GET ${s.path} answers ${s.status}`, async () => {
      const { status, body } = await json(app.request(s.path, { headers: customer.auth }))
      expect(status).toBe(s.status)
      if (s.status === 200) expect(body).toEqual({ id: s.id, object: 'model', created: PRICING_CREATED, owned_by: s.ownedBy })
      else expect(body.error).toMatchObject({ code: 'not_found', type: 'not_found_error', param: 'id' })
    })
  }
})

describe('GET /v1/catalog/models in demo mode', () => {
  it('marks every offering available: every provider is wired to the in-process simulator', async () => {
    const demo = await startTestApp({ scheduler: false, config: { demo: true } })
    try {
      const { status, body } = await json(demo.request('/v1/catalog/models'))
      expect(status).toBe(200)
      const offerings = body.data.flatMap((m: any) => m.provider_offerings)
      expect(offerings.length).toBeGreaterThan(0)
      expect(offerings.filter((o: any) => !o.available || o.capacity.status !== 'available').map((o: any) => o.offering_id)).toEqual([])
    } finally {
      await demo.close()
    }
  })
})
