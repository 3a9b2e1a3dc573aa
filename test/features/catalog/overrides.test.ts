import { afterAll, beforeAll, describe, expect, it } from 'bun:test'
import { json, startTestApp, type TestApp } from '../../helpers/test-app'

/** An operator config that adds a provider and a model, overrides and removes offerings, and sets fees. */
const CONFIG = {
  catalog: {
    providers: [
      { id: 'acme', display_name: 'Acme Inference', kind: 'openai-compatible', base_url: 'http://127.0.0.1:9/v1' },
      { id: 'anthropic', display_name: 'Anthropic (EU contract)' },
    ],
    models: [
      { slug: 'acme-7b', display_name: 'Acme 7B', provider: 'acme', aliases: ['acme/7b-chat'], operations: ['responses'], context_window: 32_768, max_output_tokens: 4096, default_output_tokens: 256 },
    ],
    offerings: [
      {
        offering_id: 'acme-gpt-4o-mini',
        model: 'gpt-4o-mini',
        provider: 'acme',
        lane_kind: 'public',
        input_per_1m: '0.05',
        output_per_1m: '0.2',
        cached_input_per_1m: '0.000001',
        max_batch_items: 1000,
        regions: ['eu'],
        retention: { zdr: true, days: 0 },
        privacy_tiers: ['standard', 'confidential'],
        hosted_tools: ['web_search'],
        turnaround_seconds: 600,
      },
      { offering_id: 'acme-7b', model: 'acme-7b', provider: 'acme', lane_kind: 'public', input_per_1m: '1', output_per_1m: '2', max_batch_items: 10, regions: ['eu'], retention: { zdr: true, days: 0 }, privacy_tiers: ['standard'], turnaround_seconds: 60 },
      // Replaces the default offering of the same id: a negotiated price.
      { offering_id: 'openai-batch-gpt-4o', model: 'gpt-4o', provider: 'openai', lane_kind: 'public', input_per_1m: '1.10', output_per_1m: '4.4', max_batch_items: 50_000, regions: ['us'], retention: { zdr: false, days: 30 }, privacy_tiers: ['standard'], turnaround_seconds: 3600 },
    ],
    remove_offerings: ['edge-nomic-embed-text'],
    pricing_updated_at: '2026-09-01T12:00:00Z',
  },
  fees: { batchFeeBps: 400, minimumCharge: '0.5', discounts: [{ provider: 'anthropic', bps: 250, reason: 'launch promotion' }] },
}

let app: TestApp
beforeAll(async () => {
  app = await startTestApp({ config: CONFIG, scheduler: false })
})
afterAll(() => app.close())

async function catalog(query = '') {
  const { status, body } = await json(app.request(`/v1/catalog/models${query}`))
  expect(status).toBe(200)
  return body
}

describe('GET /v1/catalog/models with operator overrides', () => {
  it('lists an added provider’s offering beside the defaults, with its prices and as available', async () => {
    const body = await catalog()
    const mini = body.data.find((m: any) => m.slug === 'gpt-4o-mini')
    expect(mini.provider_offerings.map((o: any) => o.offering_id)).toEqual(['openai-batch-gpt-4o-mini', 'acme-gpt-4o-mini'])
    expect(mini.provider_offerings[1]).toMatchObject({
      provider: 'acme',
      pricing: { currency: 'usd', input_per_1m: '0.050000', output_per_1m: '0.200000', cached_input_per_1m: '0.000001' },
      capacity: { max_batch_items: 1000, status: 'available' },
      hosted_tools: ['web_search'],
      available: true,
    })
    expect(body.provider_count).toBe(5)
    expect(body.pricing_updated_at).toBe('2026-09-01T12:00:00.000Z')
  })

  const scenarios: Array<{ name: string; query: string; expect: (body: any) => void }> = [
    {
      name: 'an overridden offering carries the new price',
      query: '?provider=openai',
      expect: (body) => expect(body.data.find((m: any) => m.slug === 'gpt-4o').provider_offerings[0].pricing).toMatchObject({ input_per_1m: '1.100000', output_per_1m: '4.400000', cached_input_per_1m: null }),
    },
    {
      name: 'provider=acme finds the added offerings and the added model',
      query: '?provider=acme',
      expect: (body) => expect(body.data.map((m: any) => [m.slug, m.provider_offerings.map((o: any) => o.offering_id)])).toEqual([['gpt-4o-mini', ['acme-gpt-4o-mini']], ['acme-7b', ['acme-7b']]]),
    },
    {
      name: 'hosted_tool=web_search finds the offering that runs it',
      query: '?hosted_tool=web_search',
      expect: (body) => expect(body.data.map((m: any) => [m.slug, m.provider_offerings.map((o: any) => o.offering_id), body.provider_count])).toEqual([['gpt-4o-mini', ['acme-gpt-4o-mini'], 1]]),
    },
    {
      name: 'a removed offering is gone',
      query: '?provider=edge',
      expect: (body) => expect(body.data.map((m: any) => m.slug)).toEqual(['llama-3.1-8b-instruct']),
    },
    {
      name: 'a partial provider override keeps the rest of the provider',
      query: '?provider=anthropic',
      expect: (body) => expect(body.data.every((m: any) => m.provider_offerings.every((o: any) => o.available === false))).toBe(true),
    },
  ]
  for (const s of scenarios) it(s.name, async () => s.expect(await catalog(s.query)))
})

describe('GET /v1/models with operator overrides', () => {
  it('lists and retrieves an added model and its alias', async () => {
    const { auth } = app.newOrg()
    const list = await json(app.request('/v1/models', { headers: auth }))
    const created = Date.parse('2026-09-01T12:00:00Z') / 1000
    expect(list.body.data).toEqual(expect.arrayContaining([{ id: 'acme-7b', object: 'model', created, owned_by: 'acme' }, { id: 'acme/7b-chat', object: 'model', created, owned_by: 'acme' }]))
    const one = await json(app.request('/v1/models/acme%2F7b-chat', { headers: auth }))
    expect(one.status).toBe(200)
    expect(one.body.id).toBe('acme/7b-chat')
  })
})

describe('GET /v1/pricing/fees with operator fees', () => {
  it('answers the configured fee, minimum and discounts', async () => {
    const { status, body } = await json(app.request('/v1/pricing/fees'))
    expect(status).toBe(200)
    expect(body).toMatchObject({
      currency: 'usd',
      batch_fee_bps: 400,
      minimum_charge: '0.500000',
      discounts: [{ provider: 'anthropic', bps: 250, reason: 'launch promotion' }],
      updated_at: '2026-09-01T12:00:00.000Z',
    })
  })
})
