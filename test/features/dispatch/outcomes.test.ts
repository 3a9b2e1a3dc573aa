/**
 * The one outcome path, driven with real claims and a real answer from the simulator's
 * OpenAI-compatible host: the current attempt's answer is written (usage, cost at the lane's
 * rates, lease cleared); an answer for an attempt that is no longer running — the item was given
 * back and claimed again, or cancelled meanwhile — changes nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'bun:test'
import { FakeClock } from '../../../src/lib/clock'
import { createAdapters } from '../../../src/providers/registry'
import type { ItemOutcome } from '../../../src/providers/types'
import { claimOfferingItems, ITEM_LEASE_MS, ITEM_LEASES, recordOutcomes, rescueLapsedLeases, targetOf, type ClaimedItem } from '../../../src/features/dispatch/index'
import { readLines, requestOf } from '../../../src/features/dispatch/item-work'
import { workBatchOf } from '../../../src/features/batches/index'
import { enqueueProgressEventsInTx } from '../../../src/features/webhooks/index'
import { startTestApp, type TestApp } from '../../helpers/test-app'
import { LLAMA, OPENHOST_ONLY, chatItems, itemRows, newKey, postBatch } from '../../helpers/batch-helpers'

const OFFERING = 'openhost-llama-3.1-8b-instruct'
const ports = { recordedInTx: enqueueProgressEventsInTx }
let app: TestApp
const clock = new FakeClock()

beforeAll(async () => {
  app = await startTestApp({ clock, scheduler: false, config: { demo: true } })
})
afterAll(() => app.close())

/** A routed one-item batch, its item claimed once (attempt 1) under a lease that lapses at `until`. */
async function claimedItem(until = clock.now() + ITEM_LEASE_MS): Promise<{ batchId: string; auth: Record<string, string>; item: ClaimedItem }> {
  const org = app.newOrg('10.00')
  const res = await postBatch(app, org.auth, { items: chatItems(1, LLAMA, 'outcome'), ...OPENHOST_ONLY }, newKey('outcome'))
  await app.runJob('route-batches')
  const claim = claimOfferingItems.claim(app.deps, { holder: 'test', until, limit: 10, now: clock.now(), params: { offeringId: OFFERING } })
  expect(claim.rows.map((i) => [i.batchId, i.attempts])).toEqual([[res.body.id, 1]])
  return { batchId: res.body.id, auth: org.auth, item: claim.rows[0]! }
}

/** The simulator's real answer to the item (the call a runner makes). */
async function realAnswer(item: ClaimedItem): Promise<ItemOutcome> {
  const target = targetOf(app.deps.catalog(), createAdapters(), OFFERING)
  if (target?.style !== 'request') throw new Error('openhost should be request-style')
  const batch = workBatchOf(app.deps, item.batchId)!
  const request = await requestOf(app.deps, item, (await readLines(batch, [item])).get(item.id), batch, target.upstreamModel)
  const answer = await target.adapter.call(target.endpoint, request)
  expect(answer.ok).toBe(true)
  return answer
}

const pending = (item: ClaimedItem, attempt: number, outcome: ItemOutcome) => ({ itemId: item.id, attempt, provider: 'openhost', rates: { input: 200_000, output: 200_000, slaMultiplierBps: 10_000 }, outcome })

describe('the outcome path', () => {
  it("writes the current attempt's answer: output, usage, cost at the lane's rates, lease cleared", async () => {
    const { batchId, item } = await claimedItem()
    const answer = await realAnswer(item)
    expect(recordOutcomes(app.deps, ports, [pending(item, 1, answer)], clock.now())).toBe(1)
    const [row] = itemRows(app, batchId)
    expect([row!.status, row!.attempts, row!.leaseId]).toEqual(['completed', 1, null])
    expect(row!.inputTokens).toBeGreaterThan(0)
    expect(row!.costMicros).toBeGreaterThan(0)
    expect(JSON.parse(row!.output!)).toEqual(answer.ok ? answer.output : null)
  })

  it('ignores a late answer for an item given back by rescue and claimed again (attempt 2 running)', async () => {
    const { batchId, item } = await claimedItem(clock.now() + 1000)
    const late = await realAnswer(item)
    clock.advance(1001)
    rescueLapsedLeases(app.deps, [ITEM_LEASES], clock.now())
    const again = claimOfferingItems.claim(app.deps, { holder: 'test', until: clock.now() + ITEM_LEASE_MS, limit: 10, now: clock.now(), params: { offeringId: OFFERING } })
    expect(again.rows.map((i) => [i.id, i.attempts])).toEqual([[item.id, 2]])

    expect(recordOutcomes(app.deps, ports, [pending(item, 1, late)], clock.now())).toBe(0)
    const [row] = itemRows(app, batchId)
    expect([row!.status, row!.attempts, row!.output, row!.costMicros, row!.leaseId]).toEqual(['running', 2, null, null, again.leaseId])
    // Attempt 2's own answer is written.
    expect(recordOutcomes(app.deps, ports, [pending(item, 2, late)], clock.now())).toBe(1)
    expect(itemRows(app, batchId)[0]!.status).toBe('completed')
  })

  it('ignores a late answer for an item whose batch was cancelled after its lease lapsed', async () => {
    const { batchId, auth, item } = await claimedItem(clock.now() + 1000)
    const late = await realAnswer(item)
    clock.advance(1001)
    rescueLapsedLeases(app.deps, [ITEM_LEASES], clock.now())
    expect((await app.request(`/v1/batches/${batchId}/cancel`, { method: 'POST', headers: auth })).status).toBe(200)
    expect(itemRows(app, batchId).map((i) => [i.status, i.errorCode])).toEqual([['cancelled', 'batch_cancelled']])

    expect(recordOutcomes(app.deps, ports, [pending(item, 1, late)], clock.now())).toBe(0)
    const [row] = itemRows(app, batchId)
    expect([row!.status, row!.errorCode, row!.output, row!.costMicros ?? 0]).toEqual(['cancelled', 'batch_cancelled', null, 0])
    await app.runJob('finalize-batches')
    expect(itemRows(app, batchId)[0]!.status).toBe('cancelled')
  })

  it('ignores a late answer for an item re-queued for a retry and not yet claimed again (queued, same attempt number)', async () => {
    const { batchId, item } = await claimedItem()
    const late = await realAnswer(item)
    const retry = { ok: false as const, itemId: item.id, error: { kind: 'server_error' as const, retryable: true, message: 'The provider failed to answer (HTTP 503).' } }
    expect(recordOutcomes(app.deps, ports, [pending(item, 1, retry)], clock.now())).toBe(1)
    expect(itemRows(app, batchId).map((i) => [i.status, i.attempts])).toEqual([['queued', 1]])

    expect(recordOutcomes(app.deps, ports, [pending(item, 1, late)], clock.now())).toBe(0)
    const [row] = itemRows(app, batchId)
    expect([row!.status, row!.attempts, row!.output, row!.costMicros ?? 0, row!.completedAt]).toEqual(['queued', 1, null, 0, null])
  })

  it('ignores a late answer for an item whose batch expired while it ran', async () => {
    const { batchId, auth, item } = await claimedItem(clock.now() + 1000)
    const late = await realAnswer(item)
    clock.advance(25 * 3600 * 1000)
    rescueLapsedLeases(app.deps, [ITEM_LEASES], clock.now())
    await app.runJob('expire-batches')
    await app.runJob('finalize-batches')
    expect(itemRows(app, batchId).map((i) => i.status)).toEqual(['expired'])

    expect(recordOutcomes(app.deps, ports, [pending(item, 1, late)], clock.now())).toBe(0)
    const [row] = itemRows(app, batchId)
    expect([row!.status, row!.output, row!.costMicros ?? 0]).toEqual(['expired', null, 0])
    const batch = (await app.request(`/v1/batches/${batchId}`, { headers: auth }).then((r) => r.json())) as any
    expect(batch.batch.counts.completed).toBe(0)
  })
})
