/**
 * Routing end to end, against the standalone provider simulator (`bun src/main.ts sim`), whose
 * request counts prove where items went — and that nothing went anywhere.
 *
 * 1. A hybrid batch larger than the edge lane's capacity: the real server process (`serve`,
 *    port 0-style free port, temp data dir) splits it across the edge and the public lane,
 *    completes it, and its receipt explains the split.
 * 2. A restricted batch while no restricted lane is available (the edge provider is not
 *    configured): the quote says no lane can run it, the batch is accepted and waits, then
 *    expires at its 24 h deadline without one item dispatched. This one runs the app in-process
 *    with a fake clock so the deadline passes without waiting a day; it still speaks HTTP.
 */
import { afterAll, beforeAll, describe, expect, it } from 'bun:test'
import { FakeClock } from '../../src/lib/clock'
import { registerOrg, removeDir, startServerProcess, startSimProcess, tempDir, waitFor, type ApiClient, type ServerProcess, type SimProcess } from '../helpers/process'
import { startTestApp, json, type TestApp } from '../helpers/test-app'
import { batchRow, getJson, itemRows, newKey, postBatch, postQuote, reservationOfBatch } from '../helpers/batch-helpers'

const EDGE_CAPACITY = 5
const ITEMS = 12

/** The default edge llama offering, shrunk to EDGE_CAPACITY items. */
const SMALL_EDGE = {
  offering_id: 'edge-llama-3.1-8b-instruct', model: 'llama-3.1-8b-instruct', provider: 'edge', lane_kind: 'edge', input_per_1m: '0.02', output_per_1m: '0.02',
  max_batch_items: EDGE_CAPACITY, concurrency: 4, regions: ['local'], retention: { zdr: true, days: 0 }, privacy_tiers: ['standard', 'confidential', 'restricted'], hosted_tools: [], supports_tools: false, turnaround_seconds: 3600,
}

function llamaItems(n: number, tag: string) {
  return Array.from({ length: n }, (_, i) => ({ customer_item_id: `${tag}-${i + 1}`, operation: 'responses', model: 'llama-3.1-8b-instruct', input: { messages: [{ role: 'user', content: `Label ticket ${i + 1} as billing, shipping or other.` }], max_tokens: 20 } }))
}

type SimStats = { total: number; by_model: Record<string, number> }

let sim: SimProcess
let root: string
beforeAll(async () => {
  sim = await startSimProcess()
  root = tempDir('br-e2e-routing-')
})
afterAll(async () => {
  await sim?.stop('SIGKILL')
  if (root) removeDir(root)
})

describe('hybrid routing across edge and public lanes (server process)', () => {
  let server: ServerProcess
  let client: ApiClient
  beforeAll(async () => {
    await sim.reset()
    const upstream = `${sim.url}/v1`
    server = await startServerProcess({
      dataDir: `${root}/hybrid`,
      config: {
        tickMs: 50, startingCredit: '5.00',
        catalog: { providers: [{ id: 'openhost', kind: 'openai-compatible', base_url: upstream, api_key_env: '' }, { id: 'edge', kind: 'openai-compatible', base_url: upstream }], offerings: [SMALL_EDGE] },
      },
    })
    client = await registerOrg(server.url)
  })
  afterAll(async () => {
    await server?.stop('SIGKILL')
  })

  it(`splits ${ITEMS} items: ${EDGE_CAPACITY} to the edge lane (its capacity), the rest to the public lane, and completes`, async () => {
    const body = { items: llamaItems(ITEMS, 'hy'), routing_mode: 'hybrid' }
    const quote = await client.post('/v1/quotes/model', body)
    expect(quote.status).toBe(200)
    const selected = quote.body.quote_lanes.filter((l: any) => l.selected)
    expect(selected.map((l: any) => [l.offering_id, l.lane_kind, l.item_count, l.allocation_percent])).toEqual([
      ['edge-llama-3.1-8b-instruct', 'edge', 5, 41.67],
      ['openhost-llama-3.1-8b-instruct', 'public', 7, 58.33],
    ])
    expect(selected[0].fallback_order).toEqual(['openhost-llama-3.1-8b-instruct'])
    expect(quote.body.customer_explanation.lane_mode).toBe('multi_lane')
    expect(quote.body.customer_explanation.summary).toContain('split across 2 lanes because edge-llama-3.1-8b-instruct has room for only 5 more')

    const created = await client.post('/v1/batches', { ...body, quote_id: quote.body.quote_id }, { 'idempotency-key': 'routing-hybrid-0001' })
    expect(created.status).toBe(202)
    const done = await waitFor('the hybrid batch to finish', async () => {
      const res = await client.get(`/v1/batches/${created.body.id}`)
      return ['completed', 'failed', 'expired', 'cancelled'].includes(res.body.batch.status) ? res.body : null
    }, { timeoutMs: 30_000 })
    expect(done.batch.status).toBe('completed')
    expect(done.batch.counts).toMatchObject({ total: ITEMS, completed: ITEMS, failed: 0 })
    expect(done.batch.lanes.map((l: any) => [l.offering_id, l.item_count, l.completed]).sort()).toEqual([
      ['edge-llama-3.1-8b-instruct', 5, 5],
      ['openhost-llama-3.1-8b-instruct', 7, 7],
    ])

    const results = (await client.get(`/v1/batches/${created.body.id}/results?limit=100`)).body.results
    const perOffering = (id: string) => results.filter((r: any) => r.offering_id === id && r.status === 'completed').length
    expect([perOffering('edge-llama-3.1-8b-instruct'), perOffering('openhost-llama-3.1-8b-instruct')]).toEqual([5, 7])
    // Counted at the simulator: the edge lane sends the slug, the open-weight host its upstream name.
    const stats = (await sim.stats()) as unknown as SimStats
    expect(stats.by_model['llama-3.1-8b-instruct']).toBe(5)
    expect(stats.by_model['meta-llama/Llama-3.1-8B-Instruct']).toBe(7)

    const receipt = (await client.get(`/v1/batches/${created.body.id}/receipt`)).body
    expect(receipt).toMatchObject({ object: 'routing_receipt', status: 'completed', routing_mode: 'hybrid', quote_id: quote.body.quote_id })
    expect(receipt.policy).toMatchObject({ routing_mode: 'hybrid', privacy_tier: 'standard', sla_tier: 'standard' })
    expect(receipt.rates_locked).toContainEqual({ offering_id: 'edge-llama-3.1-8b-instruct', input_per_1m: '0.020000', output_per_1m: '0.020000', source: 'quote' })
    const group = receipt.item_groups[0]
    expect(group).toMatchObject({ status: 'routed', lane_mode: 'multi_lane', item_count: ITEMS })
    expect(group.split_reason).toBe(`The ${ITEMS} llama-3.1-8b-instruct responses items are split across 2 lanes because edge-llama-3.1-8b-instruct has room for only 5 more.`)
    expect(group.candidates.filter((c: any) => c.selected).map((c: any) => c.reason)).toEqual([
      expect.stringContaining('hybrid fills edge lanes first'),
      expect.stringContaining('edge-llama-3.1-8b-instruct had no room for'),
    ])
    expect(receipt.summary).toContain('went to edge-llama-3.1-8b-instruct (5) and openhost-llama-3.1-8b-instruct (7)')
    expect(receipt.lanes.map((l: any) => [l.offering_id, l.item_count, l.status])).toEqual([
      ['edge-llama-3.1-8b-instruct', 5, 'completed'],
      ['openhost-llama-3.1-8b-instruct', 7, 'completed'],
    ])

    // The receipt artifact (written at finalize) says the same.
    const link = await client.get(`/v1/batches/${created.body.id}/artifact-url?kind=receipt`)
    expect(link.status).toBe(200)
    const artifact = (await (await fetch(link.body.url)).json()) as any
    expect(artifact.item_groups[0].split_reason).toBe(group.split_reason)
  })
})

describe('restricted work with no restricted lane available (in-process, fake clock)', () => {
  const clock = new FakeClock(Date.parse('2026-06-01T08:00:00.000Z'))
  let app: TestApp
  beforeAll(async () => {
    await sim.reset()
    const upstream = `${sim.url}/v1`
    // Public providers point at the simulator; the edge provider has no endpoint, so the only
    // lanes enrolled as restricted are unavailable.
    app = await startTestApp({ clock, scheduler: false, config: { catalog: { providers: [{ id: 'openhost', kind: 'openai-compatible', base_url: upstream, api_key_env: '' }, { id: 'openai', kind: 'openai-compatible', base_url: upstream, api_key_env: '' }] } } })
  })
  afterAll(() => app?.close())

  it('waits without dispatching anything and expires at its deadline; the receipt says why', async () => {
    const org = app.newOrg('1.00')
    const body = { items: llamaItems(3, 'rs'), privacy_tier: 'restricted' }

    const quote = await postQuote(app, org.auth, body)
    expect(quote.status).toBe(400)
    expect(quote.body.error.code).toBe('no_eligible_lane')
    const why = Object.fromEntries(quote.body.error.details.rejections.map((r: any) => [r.offering_id, r.rejection_code]))
    expect(why).toEqual({ 'edge-llama-3.1-8b-instruct': 'provider_unavailable', 'openhost-llama-3.1-8b-instruct': 'privacy_tier_mismatch' })

    const created = await postBatch(app, org.auth, body, newKey('restricted'))
    expect(created.status).toBe(202)
    const deadline = clock.now() + 24 * 3600_000
    expect(created.body.batch.sla_deadline).toBe(new Date(deadline).toISOString())
    const reserved = reservationOfBatch(app, created.body.id)!.amount
    expect(reserved).toBeGreaterThan(0) // priced at the edge lane it waits for

    // Route, dispatch and finalize passes at 0, 30 min and 23.5 h: the batch stays queued.
    for (const at of [0, 30 * 60_000, 23.5 * 3600_000]) {
      clock.set(deadline - 24 * 3600_000 + at)
      await app.runJob('route-batches')
      await app.runJob('dispatch-items')
      await app.settleDispatch()
      await app.runJob('finalize-batches')
      expect(batchRow(app, created.body.id)!.status).toBe('queued')
    }
    expect(itemRows(app, created.body.id).map((i) => [i.status, i.laneId])).toEqual(Array(3).fill(['pending', null]))
    const waiting = (await getJson(app, org.auth, `/v1/batches/${created.body.id}/receipt`)).body
    // Unchanged reasons are recorded once; at 23.5 h the 1 h edge lane could no longer finish in time.
    expect(waiting.decisions.map((d: any) => [d.kind, d.at, d.candidates[0].rejection_code])).toEqual([
      ['waiting', new Date(deadline - 24 * 3600_000).toISOString(), 'provider_unavailable'],
      ['waiting', new Date(deadline - 30 * 60_000).toISOString(), 'sla_unachievable'],
    ])

    clock.set(deadline + 1000) // past the deadline
    await app.runJob('route-batches')
    await app.runJob('expire-batches')
    await app.runJob('finalize-batches')
    const ended = await json(app.request(`/v1/batches/${created.body.id}`, { headers: org.auth }))
    expect(ended.body.status).toBe('expired')
    expect(ended.body.batch.counts).toMatchObject({ total: 3, completed: 0 })
    const results = (await getJson(app, org.auth, `/v1/batches/${created.body.id}/results`)).body.results
    expect(results.map((r: any) => [r.status, r.error.code, r.offering_id])).toEqual(Array(3).fill(['failed', 'batch_expired', null]))

    const stats = (await sim.stats()) as unknown as SimStats
    expect(stats.total).toBe(0) // not one item reached any provider
    expect(reservationOfBatch(app, created.body.id)).toMatchObject({ status: 'settled', charged: 0, released: reserved })

    const receipt = (await getJson(app, org.auth, `/v1/batches/${created.body.id}/receipt`)).body
    expect(receipt).toMatchObject({ status: 'expired', privacy_tier: 'restricted', sla_tier: 'standard', lanes: [], reroutes: [] })
    expect(receipt.policy).toMatchObject({ privacy_tier: 'restricted', routing_mode: 'cheapest' })
    expect(receipt.item_groups).toHaveLength(1)
    expect(receipt.item_groups[0]).toMatchObject({ status: 'waiting', routable: false, item_count: 3, waited_since: new Date(deadline - 24 * 3600_000).toISOString() })
    expect(receipt.item_groups[0].waiting_reason).toBe("No lane may take the 3 llama-3.1-8b-instruct responses items under this batch's policy now (sla_unachievable, privacy_tier_mismatch); it waits until the SLA deadline and then expires. No other lane is used.")
    expect(receipt.decisions[0].waiting_reason).toBe('No lane may take the 3 llama-3.1-8b-instruct responses items right now; waiting for edge-llama-3.1-8b-instruct (provider_unavailable) until the SLA deadline. No other lane is used.')
    expect(receipt.item_groups[0].candidates.map((c: any) => [c.offering_id, c.rejection_code])).toEqual([
      ['edge-llama-3.1-8b-instruct', 'sla_unachievable'],
      ['openhost-llama-3.1-8b-instruct', 'privacy_tier_mismatch'],
    ])
    expect(receipt.summary).toContain('have not been sent anywhere')
  })
})
