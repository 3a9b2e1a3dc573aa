/**
 * Batch lifecycle jobs with a fake clock and the scheduler off: expiry (expire-batches +
 * finalize-batches), cancel (before dispatch and while provider calls are in flight), and
 * rescue-leases (items and batches whose lease lapsed in a crash). Items run on the request-style
 * openhost provider (one upstream call per attempt), pinned with OPENHOST_ONLY.
 */
import { afterAll, beforeAll, describe, expect, it } from 'bun:test'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { eq, inArray } from 'drizzle-orm'
import { FakeClock } from '../../src/lib/clock'
import { batchesTable } from '../../src/features/batches/table'
import { itemsTable } from '../../src/features/items/table'
import { ITEM_LEASE_MS, ITEM_LEASES } from '../../src/features/dispatch/index'
import { ROUTING_LEASES } from '../../src/features/batches/index'
import { startTestApp, type TestApp } from '../helpers/test-app'
import { LLAMA, LLAMA_UPSTREAM, NOMIC, OPENHOST_ONLY, batchRow, chatItems, embeddingItem, getJson, itemRows, leaseRows, ledgerSums, micros, newKey, pageAllResults, postBatch, reservationOfBatch, resetSim, setSimScenario, simStats } from '../helpers/batch-helpers'

/**
 * A NOMIC embedding item long enough to cost at least 1 µ$: under the rounding rule (README
 * "Money and rounding") a short one costs under ½ µ$, i.e. 0, and these tests check that finished
 * items are charged.
 */
function pricedEmbedding(id: string): Record<string, unknown> {
  return { ...embeddingItem(id, NOMIC), input: { input: `Embed the words of ${id}: ${'lorem ipsum dolor sit amet '.repeat(60)}` } }
}

const HOUR = 3600_000
let app: TestApp
const clock = new FakeClock()

beforeAll(async () => {
  app = await startTestApp({ clock, scheduler: false, config: { demo: true } })
})
afterAll(() => app.close())

async function createBatch(auth: Record<string, string>, body: Record<string, unknown>): Promise<string> {
  const res = await postBatch(app, auth, { ...OPENHOST_ONLY, ...body }, newKey('life'))
  expect(res.status).toBe(202)
  return res.body.id
}

/** The settlement invariants: ledger reserve = charge + release, charge = Σ completed item costs = cost_so_far. */
async function expectSettled(auth: Record<string, string>, batchId: string): Promise<{ charged: number; reserved: number }> {
  const reservation = reservationOfBatch(app, batchId)!
  expect(reservation.status).toBe('settled')
  const sums = ledgerSums(app, reservation.id)
  expect(sums.reserve).toBe(reservation.amount)
  expect(sums.reserve).toBe(sums.charge + sums.release)
  const { results } = await pageAllResults(app, auth, batchId)
  const completedCost = results.filter((r) => r.status === 'completed').reduce((a, r) => a + micros(r.cost.amount), 0)
  expect(sums.charge).toBe(completedCost)
  const batch = (await getJson(app, auth, `/v1/batches/${batchId}`)).body
  expect(micros(batch.batch.cost_so_far.amount)).toBe(sums.charge)
  return { charged: sums.charge, reserved: reservation.amount }
}

describe('expire-batches', () => {
  it('ends a priority batch past its deadline as expired: finished items kept, the rest batch_expired, unspent credit released', async () => {
    await resetSim(app)
    const stuck = { fail_first_n: 1000, fail_status: 429, retry_after_s: 86_400 }
    await setSimScenario(app, { models: { [LLAMA_UPSTREAM]: stuck } })
    const org = app.newOrg('10.00')
    const items = [...[1, 2, 3].map((i) => pricedEmbedding(`fast-${i}`)), ...chatItems(3, LLAMA, 'stuck')]
    const batchId = await createBatch(org.auth, { items, sla_tier: 'priority' })
    expect(batchRow(app, batchId)!.slaDeadline).toBe(clock.now() + HOUR)

    await app.runJob('route-batches')
    await app.runJob('dispatch-items')
    await app.settleDispatch()
    const before = itemRows(app, batchId)
    expect(before.filter((i) => i.model === NOMIC).map((i) => i.status)).toEqual(['completed', 'completed', 'completed'])
    expect(before.filter((i) => i.model === LLAMA).map((i) => [i.status, i.errorCode])).toEqual(Array(3).fill(['queued', 'rate_limited']))

    // Nothing expires before the deadline.
    clock.advance(HOUR - 1)
    await app.runJob('expire-batches')
    expect(batchRow(app, batchId)!.endIntent).toBeNull()

    clock.advance(1)
    await app.runJob('expire-batches')
    await app.runJob('dispatch-items') // must not send the expired items
    await app.settleDispatch()
    await app.runJob('finalize-batches')

    const row = batchRow(app, batchId)!
    expect(row.status).toBe('expired')
    const batch = (await getJson(app, org.auth, `/v1/batches/${batchId}`)).body
    expect(batch.status).toBe('expired')
    expect(batch.expired_at).toBe(Math.floor(clock.now() / 1000))
    expect(batch.request_counts).toEqual({ total: 6, completed: 3, failed: 3 })

    const { results } = await pageAllResults(app, org.auth, batchId)
    expect(results.map((r) => r.customer_item_id)).toEqual(items.map((i) => i.customer_item_id))
    for (const r of results.slice(0, 3)) {
      expect(r).toMatchObject({ status: 'completed', error: null })
      expect(micros(r.cost.amount)).toBeGreaterThan(0)
    }
    for (const r of results.slice(3)) {
      expect(r).toMatchObject({ status: 'failed', error: { code: 'batch_expired' }, cost: { amount: '0.000000' } })
    }
    const stats = await simStats(app)
    for (const r of results.slice(3)) expect(stats.by_custom_id[r.batch_item_id]).toBe(1)

    const { charged, reserved } = await expectSettled(org.auth, batchId)
    expect(charged).toBeGreaterThan(0)
    expect(charged).toBeLessThan(reserved)
    const account = (await getJson(app, org.auth, '/v1/auth/account')).body
    expect(account.reserved_balance).toBe('0.000000')
    expect(micros(account.credit_balance)).toBe(10_000_000 - charged)
  })

  it('aborts provider calls still in flight at the deadline and marks those items batch_expired', async () => {
    await resetSim(app)
    await setSimScenario(app, { models: { [LLAMA_UPSTREAM]: { latency_ms: 60_000 } } })
    const org = app.newOrg('10.00')
    const batchId = await createBatch(org.auth, { items: chatItems(2, LLAMA, 'slow'), sla_tier: 'priority' })
    await app.runJob('route-batches')
    await app.runJob('dispatch-items') // calls now hang in the simulator for a minute of real time
    expect(itemRows(app, batchId).map((i) => i.status)).toEqual(['running', 'running'])

    clock.advance(HOUR)
    await app.runJob('expire-batches')
    const started = Date.now()
    await app.settleDispatch()
    expect(Date.now() - started).toBeLessThan(10_000)
    await app.runJob('finalize-batches')

    expect(batchRow(app, batchId)!.status).toBe('expired')
    expect(itemRows(app, batchId).map((i) => [i.status, i.errorCode, i.costMicros ?? 0])).toEqual([['expired', 'batch_expired', 0], ['expired', 'batch_expired', 0]])
    const { charged, reserved } = await expectSettled(org.auth, batchId)
    expect(charged).toBe(0)
    expect(reservationOfBatch(app, batchId)!.released).toBe(reserved)
  })
})

describe('POST /v1/batches/{id}/cancel', () => {
  for (const stage of ['pending', 'dispatched'] as const) {
    it(`before dispatch (batch ${stage}): cancelling, then cancelled after finalize; every item batch_cancelled, nothing charged, full release`, async () => {
      await resetSim(app)
      const org = app.newOrg('10.00')
      const batchId = await createBatch(org.auth, { items: chatItems(5, LLAMA) })
      if (stage === 'dispatched') await app.runJob('route-batches')

      const res = await getJson(app, org.auth, `/v1/batches/${batchId}`)
      expect(res.body.batch.status).toBe(stage)
      expect(itemRows(app, batchId).every((i) => i.status === (stage === 'pending' ? 'pending' : 'queued'))).toBe(true)
      const cancel = await postCancel(org.auth, batchId)
      expect(cancel.status).toBe(200)
      expect(cancel.body.status).toBe('cancelling')
      expect(typeof cancel.body.cancelling_at).toBe('number')
      expect(cancel.body.cancelled_at).toBeNull()

      await app.runJob('route-batches')
      await app.runJob('dispatch-items')
      await app.settleDispatch()
      expect((await simStats(app)).total).toBe(0)
      await app.runJob('finalize-batches')

      const done = (await getJson(app, org.auth, `/v1/batches/${batchId}`)).body
      expect(done.status).toBe('cancelled')
      expect(done.batch.status).toBe('cancelled')
      expect(typeof done.cancelled_at).toBe('number')
      expect(done.request_counts).toEqual({ total: 5, completed: 0, failed: 5 })
      expect(done.batch.counts.cancelled).toBe(5)
      const { results } = await pageAllResults(app, org.auth, batchId)
      expect(results).toHaveLength(5)
      for (const r of results) expect(r).toMatchObject({ status: 'failed', error: { code: 'batch_cancelled' }, cost: { amount: '0.000000' } })

      const { charged, reserved } = await expectSettled(org.auth, batchId)
      expect(charged).toBe(0)
      const reservation = reservationOfBatch(app, batchId)!
      expect(reservation.released).toBe(reserved)
      expect(ledgerSums(app, reservation.id)).toMatchObject({ charge: 0, release: reserved })
      const account = (await getJson(app, org.auth, '/v1/auth/account')).body
      expect(account).toMatchObject({ credit_balance: '10.000000', reserved_balance: '0.000000' })
    })
  }

  it('answers 409 batch_not_cancellable with x-should-retry: false once the batch is terminal', async () => {
    const org = app.newOrg('10.00')
    const batchId = await createBatch(org.auth, { items: chatItems(1, LLAMA) })
    await postCancel(org.auth, batchId)
    await app.runJob('finalize-batches')
    expect(batchRow(app, batchId)!.status).toBe('cancelled')
    const again = await postCancel(org.auth, batchId)
    expect(again.status).toBe(409)
    expect(again.headers.get('x-should-retry')).toBe('false')
    expect(again.body.error).toMatchObject({ code: 'batch_not_cancellable', type: 'invalid_request_error' })
    expect(again.body.error.request_id).toMatch(/^req_/)
    expect(batchRow(app, batchId)!.status).toBe('cancelled')
  })

  it('while running: keeps finished items (charged), aborts in-flight calls (batch_cancelled, free)', async () => {
    await resetSim(app)
    await setSimScenario(app, { models: { [LLAMA_UPSTREAM]: { latency_ms: 60_000 } } })
    const org = app.newOrg('10.00')
    const items = [pricedEmbedding('done-1'), pricedEmbedding('done-2'), ...chatItems(2, LLAMA, 'slow')]
    const batchId = await createBatch(org.auth, { items })
    await app.runJob('route-batches')
    await app.runJob('dispatch-items')
    // The two embeddings come back at once; the chat calls hang: wait for exactly the fast items' outcomes.
    await app.settleDispatch(itemRows(app, batchId).filter((i) => i.model === NOMIC).map((i) => i.id))
    expect(itemRows(app, batchId).filter((i) => i.status === 'completed').map((i) => i.customerItemId)).toEqual(['done-1', 'done-2'])

    const cancel = await postCancel(org.auth, batchId)
    expect(cancel.status).toBe(200)
    expect(cancel.body.status).toBe('cancelling')
    await app.settleDispatch()
    await app.runJob('finalize-batches')

    expect(batchRow(app, batchId)!.status).toBe('cancelled')
    const { results } = await pageAllResults(app, org.auth, batchId)
    expect(results.map((r) => [r.customer_item_id, r.status, r.error?.code ?? null])).toEqual([
      ['done-1', 'completed', null],
      ['done-2', 'completed', null],
      ['slow-1', 'failed', 'batch_cancelled'],
      ['slow-2', 'failed', 'batch_cancelled'],
    ])
    const { charged } = await expectSettled(org.auth, batchId)
    expect(charged).toBeGreaterThan(0)
  })
})

describe('rescue-leases', () => {
  it('puts items whose lease lapsed back in the queue; each is then sent and completed once', async () => {
    await resetSim(app)
    const org = app.newOrg('10.00')
    const batchId = await createBatch(org.auth, { items: chatItems(4, LLAMA) })
    await app.runJob('route-batches')
    const ids = itemRows(app, batchId).map((i) => i.id)
    const now = clock.now()
    // A crash after claiming: three items with a lapsed lease, one whose lease is still running.
    app.deps.db.update(itemsTable).set({ status: 'running', attempts: 1 }).where(inArray(itemsTable.id, ids)).run()
    leaseRows(app, ITEM_LEASES, ids.slice(0, 3), now - 1)
    leaseRows(app, ITEM_LEASES, [ids[3]!], now + ITEM_LEASE_MS)
    app.deps.db.update(batchesTable).set({ status: 'processing' }).where(eq(batchesTable.id, batchId)).run()

    await app.runJob('rescue-leases')
    expect(itemRows(app, batchId).map((i) => i.status)).toEqual(['queued', 'queued', 'queued', 'running'])
    await app.runJob('dispatch-items')
    await app.settleDispatch()
    await app.runJob('finalize-batches')
    expect(itemRows(app, batchId).map((i) => i.status)).toEqual(['completed', 'completed', 'completed', 'running'])
    expect(batchRow(app, batchId)!.status).toBe('processing')

    clock.advance(ITEM_LEASE_MS + 1)
    await app.runJob('rescue-leases')
    await app.runJob('dispatch-items')
    await app.settleDispatch()
    await app.runJob('finalize-batches')

    expect(batchRow(app, batchId)!.status).toBe('completed')
    const rows = itemRows(app, batchId)
    expect(rows.map((i) => [i.status, i.attempts])).toEqual(Array(4).fill(['completed', 2]))
    const stats = await simStats(app)
    for (const id of ids) expect(stats.by_custom_id[id]).toBe(1)
    await expectSettled(org.auth, batchId)
  })

  it('returns a batch whose routing lease lapsed to pending, and route-batches then routes it', async () => {
    const org = app.newOrg('10.00')
    const batchId = await createBatch(org.auth, { items: chatItems(2, LLAMA) })
    app.deps.db.update(batchesTable).set({ status: 'routing' }).where(eq(batchesTable.id, batchId)).run()
    leaseRows(app, ROUTING_LEASES, [batchId], clock.now() - 1)
    await app.runJob('route-batches')
    expect(batchRow(app, batchId)!.status).toBe('routing')
    await app.runJob('rescue-leases')
    expect(batchRow(app, batchId)!.status).toBe('pending')
    await app.runJob('route-batches')
    expect(batchRow(app, batchId)!.status).toBe('dispatched')
    expect(itemRows(app, batchId).map((i) => i.status)).toEqual(['queued', 'queued'])
  })

  it('at start-up rescues every running item, whatever its lease (one process owns the data dir)', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'br-restart-'))
    const restartClock = new FakeClock()
    try {
      let first: TestApp | undefined = await startTestApp({ dataDir, clock: restartClock, scheduler: false, config: { demo: true } })
      const org = first.newOrg('10.00')
      const created = await postBatch(first, org.auth, { items: chatItems(2, LLAMA), ...OPENHOST_ONLY }, newKey('restart'))
      await first.runJob('route-batches')
      first.deps.db.update(itemsTable).set({ status: 'running', attempts: 1 }).where(eq(itemsTable.batchId, created.body.id)).run()
      leaseRows(first, ITEM_LEASES, itemRows(first, created.body.id).map((i) => i.id), restartClock.now() + ITEM_LEASE_MS)
      await first.close()
      first = undefined

      const second = await startTestApp({ dataDir, clock: restartClock, scheduler: false, config: { demo: true } })
      try {
        expect(itemRows(second, created.body.id).map((i) => i.status)).toEqual(['queued', 'queued'])
        await second.runJob('dispatch-items')
        await second.settleDispatch()
        await second.runJob('finalize-batches')
        expect(batchRow(second, created.body.id)!.status).toBe('completed')
      } finally {
        await second.close()
      }
    } finally {
      rmSync(dataDir, { recursive: true, force: true })
    }
  })
})

function postCancel(auth: Record<string, string>, batchId: string) {
  return app.request(`/v1/batches/${batchId}/cancel`, { method: 'POST', headers: auth }).then(async (r) => ({ status: r.status, headers: r.headers, body: (await r.json()) as any }))
}
