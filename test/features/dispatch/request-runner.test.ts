/**
 * The request runner against the simulator's OpenAI-compatible host, on a fake clock with the
 * scheduler off: items are claimed under one lease per claim group and sent once, the lease ends
 * with their outcomes, a late answer from a lapsed lease changes nothing, and settling on chosen
 * items returns while other calls still hang.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'bun:test'
import { FakeClock } from '../../../src/lib/clock'
import { ITEM_LEASE_MS, leasesTable } from '../../../src/features/dispatch/index'
import { startTestApp, type TestApp } from '../../helpers/test-app'
import { waitFor } from '../../helpers/process'
import { LLAMA, LLAMA_UPSTREAM, NOMIC, OPENHOST_ONLY, chatItems, embeddingItem, itemRows, newKey, postBatch, resetSim, setSimScenario, simStats } from '../../helpers/batch-helpers'

let app: TestApp
const clock = new FakeClock()

beforeAll(async () => {
  app = await startTestApp({ clock, scheduler: false, config: { demo: true } })
})
afterAll(() => app.close())
beforeEach(() => resetSim(app))

async function routedBatch(items: Record<string, unknown>[]): Promise<{ batchId: string; auth: Record<string, string> }> {
  const org = app.newOrg('10.00')
  const res = await postBatch(app, org.auth, { items, ...OPENHOST_ONLY }, newKey('runner'))
  expect(res.status).toBe(202)
  await app.runJob('route-batches')
  return { batchId: res.body.id, auth: org.auth }
}

/** Recorded provider outcomes of `kind` (prom-client counter), 0 when none. */
async function outcomesCounted(kind: string): Promise<number> {
  const metric = await app.deps.metrics.registry.getSingleMetric('batchrouter_provider_outcomes_total')?.get()
  return metric?.values.find((v) => v.labels.provider === 'openhost' && v.labels.kind === kind)?.value ?? 0
}

describe('request runner', () => {
  it('sends every item once under one lease per claim group, and the lease ends with the last outcome', async () => {
    const { batchId } = await routedBatch(chatItems(5, LLAMA, 'once'))
    await app.runJob('dispatch-items')
    // Claimed together: running, first attempt, one shared lease held by the request runner.
    const claimed = itemRows(app, batchId)
    expect(claimed.map((i) => [i.status, i.attempts])).toEqual(Array(5).fill(['running', 1]))
    expect(new Set(claimed.map((i) => i.leaseId)).size).toBe(1)
    expect(app.deps.db.select().from(leasesTable).all().map((l) => [l.kind, l.holder, l.leaseUntil])).toEqual([['items', 'request-runner', clock.now() + ITEM_LEASE_MS]])

    await app.settleDispatch()
    expect(itemRows(app, batchId).map((i) => [i.status, i.attempts, i.leaseId])).toEqual(Array(5).fill(['completed', 1, null]))
    expect(app.deps.db.select().from(leasesTable).all()).toEqual([])
    const stats = await simStats(app)
    for (const item of claimed) expect(stats.by_custom_id[item.id]).toBe(1)
  })

  it('a late answer from a lapsed lease changes nothing: the item ends as its current attempt says', async () => {
    // The first send of the item is answered 400 (a final error) after 1.5 s; the second is answered normally.
    await setSimScenario(app, { models: { [LLAMA_UPSTREAM]: { latency_ms: 1500, fail_first_n: 1, fail_status: 400 } } })
    const { batchId } = await routedBatch(chatItems(1, LLAMA, 'late'))
    const before = { ok: await outcomesCounted('ok'), refused: await outcomesCounted('invalid_request') }
    await app.runJob('dispatch-items') // attempt 1: in flight for 1.5 s
    // The simulator decides a request's fate when it arrives: wait until attempt 1 is there (it is the one refused).
    const [sent] = itemRows(app, batchId)
    await waitFor('attempt 1 to reach the simulator', async () => (await simStats(app)).by_custom_id[sent!.id] === 1, { everyMs: 5 })
    clock.advance(ITEM_LEASE_MS + 1)
    await app.runJob('rescue-leases') // its lease lapsed: the item is queued again…
    expect(itemRows(app, batchId).map((i) => [i.status, i.attempts, i.leaseId])).toEqual([['queued', 1, null]])
    await app.runJob('dispatch-items') // …and claimed again: attempt 2
    expect(itemRows(app, batchId).map((i) => [i.status, i.attempts])).toEqual([['running', 2]])

    // Attempt 1's 400 comes back first: unfenced, it would fail the item (and attempt 2's answer would then be refused).
    await app.settleDispatch()
    const [item] = itemRows(app, batchId)
    expect([item!.status, item!.attempts, item!.errorCode]).toEqual(['completed', 2, null])
    expect(item!.output).not.toBeNull()
    expect((await simStats(app)).by_custom_id[item!.id]).toBe(2)
    // Only the applied outcome is counted: the late refusal never reached the result.
    expect(await outcomesCounted('ok')).toBe(before.ok + 1)
    expect(await outcomesCounted('invalid_request')).toBe(before.refused)
  })

  it('settling on chosen items returns once their outcomes are written while other calls still hang', async () => {
    await setSimScenario(app, { models: { [LLAMA_UPSTREAM]: { latency_ms: 60_000 } } })
    const { batchId, auth } = await routedBatch([embeddingItem('fast-1', NOMIC), embeddingItem('fast-2', NOMIC), ...chatItems(1, LLAMA, 'slow')])
    await app.runJob('dispatch-items')
    const fast = itemRows(app, batchId).filter((i) => i.model === NOMIC)
    await app.settleDispatch(fast.map((i) => i.id))
    expect(itemRows(app, batchId).map((i) => [i.customerItemId, i.status])).toEqual([['fast-1', 'completed'], ['fast-2', 'completed'], ['slow-1', 'running']])
    // The hanging call still holds its lease; cancelling the batch aborts it.
    expect(app.deps.db.select().from(leasesTable).all()).toHaveLength(1)
    expect((await app.request(`/v1/batches/${batchId}/cancel`, { method: 'POST', headers: auth })).status).toBe(200)
    await app.settleDispatch()
    expect(itemRows(app, batchId).map((i) => i.status)).toEqual(['completed', 'completed', 'cancelled'])
    expect(app.deps.db.select().from(leasesTable).all()).toEqual([])
  })
})
