/**
 * Batches that must wait for a lane: capacity held by running batches is counted, a quote then
 * answers 503 provider_capacity_unavailable while a create is accepted and waits in `queued`
 * (recorded in the routing receipt) until the room frees up. A group no lane could ever hold, or
 * no lane may ever take, is refused at create and leaves nothing behind.
 */
import { afterAll, beforeAll, describe, expect, it } from 'bun:test'
import { FakeClock } from '../../../src/lib/clock'
import { startTestApp, type TestApp } from '../../helpers/test-app'
import { batchRow, chatItems, driveToTerminal, getJson, newKey, postBatch, postQuote, storeTrace } from '../../helpers/batch-helpers'

const clock = new FakeClock(Date.parse('2026-04-02T09:00:00.000Z'))
let app: TestApp

/** The default edge llama offering with room for 2 items at a time. */
const SMALL_EDGE = {
  offering_id: 'edge-llama-3.1-8b-instruct', model: 'llama-3.1-8b-instruct', provider: 'edge', lane_kind: 'edge', input_per_1m: '0.02', output_per_1m: '0.02',
  max_batch_items: 2, concurrency: 8, regions: ['local'], retention: { zdr: true, days: 0 }, privacy_tiers: ['standard', 'confidential', 'restricted'], hosted_tools: [], supports_tools: false, turnaround_seconds: 3600,
}

beforeAll(async () => {
  app = await startTestApp({ clock, scheduler: false, config: { demo: true, catalog: { offerings: [SMALL_EDGE] } } })
})
afterAll(() => app.close())

describe('POST /v1/batches when lanes are full', () => {
  it('counts what a running batch holds: the quote answers 503, the batch waits queued and runs once room frees', async () => {
    const org = app.newOrg('2.00')
    const body = { items: chatItems(2, 'llama-3.1-8b-instruct'), routing_mode: 'edge_only' }
    const first = await postBatch(app, org.auth, body, newKey('hold'))
    expect(first.status).toBe(202)
    await app.runJob('route-batches')
    expect(batchRow(app, first.body.id)!.status).toBe('dispatched')

    const quote = await postQuote(app, org.auth, body)
    expect(quote.status).toBe(503)
    expect(quote.headers.get('retry-after')).toBe('60')
    expect(quote.body.error.code).toBe('provider_capacity_unavailable')
    expect(quote.body.error.details.capacity).toEqual([{ model: 'llama-3.1-8b-instruct', operation: 'responses', requested: 2, unallocated: 2, lanes: [{ offering_id: 'edge-llama-3.1-8b-instruct', capacity_left: 0, allocated: 0 }] }])

    const second = await postBatch(app, org.auth, body, newKey('wait'))
    expect(second.status).toBe(202)
    expect(second.body.batch.pricing_estimate.total).toBe(first.body.batch.pricing_estimate.total)
    await app.runJob('route-batches')
    expect(batchRow(app, second.body.id)!.status).toBe('queued')
    const waiting = (await getJson(app, org.auth, `/v1/batches/${second.body.id}/receipt`)).body
    expect(waiting.item_groups[0]).toMatchObject({ status: 'waiting', model: 'llama-3.1-8b-instruct', routable: false })
    expect(waiting.item_groups[0].waiting_reason).toContain('edge-llama-3.1-8b-instruct (capacity_full)')
    expect(waiting.summary).toContain('have not been sent anywhere')

    expect((await driveToTerminal(app, clock, first.body.id)).status).toBe('completed')
    expect((await driveToTerminal(app, clock, second.body.id)).status).toBe('completed')
    const receipt = (await getJson(app, org.auth, `/v1/batches/${second.body.id}/receipt`)).body
    expect(receipt.decisions.map((d: any) => d.kind)).toEqual(['waiting', 'initial'])
    expect(receipt.item_groups[0]).toMatchObject({ status: 'routed', lane_mode: 'single_lane' })
    expect(receipt.item_groups[0].waited_since).not.toBeNull()
    expect(receipt.item_groups[0].explanation).toContain('went to edge-llama-3.1-8b-instruct (2) after waiting since')
    expect(receipt.lanes.map((l: any) => [l.offering_id, l.item_count])).toEqual([['edge-llama-3.1-8b-instruct', 2]])
  })

  it('answers 503 provider_capacity_unavailable at create when the group is larger than its lanes could ever hold, storing nothing', async () => {
    const org = app.newOrg('2.00')
    const before = storeTrace(app)
    const res = await postBatch(app, org.auth, { items: chatItems(3, 'llama-3.1-8b-instruct'), routing_mode: 'edge_only' }, newKey('toobig'))
    expect(res.status).toBe(503)
    expect(res.body.error.code).toBe('provider_capacity_unavailable')
    expect(storeTrace(app)).toEqual(before)
  })

  it('answers 400 no_eligible_lane at create when no lane may ever take a group (restricted gpt-4o-mini), storing nothing', async () => {
    const org = app.newOrg('2.00')
    const before = storeTrace(app)
    const res = await postBatch(app, org.auth, { items: [...chatItems(1, 'llama-3.1-8b-instruct', 'l'), ...chatItems(1, 'gpt-4o-mini', 'g')], privacy_tier: 'restricted' }, newKey('never'))
    expect(res.status).toBe(400)
    expect(res.body.error.code).toBe('no_eligible_lane')
    expect(res.body.error.message).toContain('1 gpt-4o-mini responses items')
    expect(res.body.error.details.rejections).toContainEqual(expect.objectContaining({ offering_id: 'openai-batch-gpt-4o-mini', rejection_code: 'privacy_tier_mismatch' }))
    expect(storeTrace(app)).toEqual(before)
  })
})
