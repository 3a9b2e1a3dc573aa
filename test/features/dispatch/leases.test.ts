/**
 * The one claim / lease / extend / rescue helper, on real rows of two kinds (items and batches):
 * a claim shares one lease among its rows and bumps their attempt; leased rows are not claimed
 * again; extending moves the lapse; ending a lease or rescuing a lapsed one gives back exactly the
 * rows still holding it, the way their kind says.
 */
import { afterEach, beforeEach, describe, expect, it } from 'bun:test'
import { eq } from 'drizzle-orm'
import { FakeClock } from '../../../src/lib/clock'
import { batchesTable, claimBatchesToRoute, ROUTING_LEASES } from '../../../src/features/batches/index'
import { claimOfferingItems, endLease, extendLease, ITEM_LEASES, leasesTable, PROVIDER_JOB_LEASES, providerJobsTable, recordOutcomes, rescueLapsedLeases } from '../../../src/features/dispatch/index'
import { newId } from '../../../src/lib/ids'
import { startTestApp, type TestApp } from '../../helpers/test-app'
import { LLAMA, OPENHOST_ONLY, batchRow, chatItems, itemRows, newKey, postBatch } from '../../helpers/batch-helpers'

const OFFERING = 'openhost-llama-3.1-8b-instruct'
let app: TestApp
let clock: FakeClock

// A fresh app per test: claims are per offering, so items left queued by one test would join the next one's claims.
beforeEach(async () => {
  clock = new FakeClock()
  app = await startTestApp({ clock, scheduler: false, config: { demo: true } })
})
afterEach(() => app.close())

async function queuedBatch(n: number): Promise<string> {
  const res = await postBatch(app, app.newOrg('10.00').auth, { items: chatItems(n, LLAMA, 'lease'), ...OPENHOST_ONLY }, newKey('lease'))
  await app.runJob('route-batches')
  return res.body.id
}
const claimItems = (limit: number, until: number) => claimOfferingItems.claim(app.deps, { holder: 'test-holder', until, limit, now: clock.now(), params: { offeringId: OFFERING } })
const leaseRow = (id: string) => app.deps.db.select().from(leasesTable).where(eq(leasesTable.id, id)).get()

describe('claim', () => {
  it('claims due rows under one lease: attempt bumped, claim SET applied, lease recorded with holder and end', async () => {
    const batchId = await queuedBatch(3)
    const until = clock.now() + 60_000
    const first = claimItems(2, until)
    expect(first.rows).toHaveLength(2)
    expect(first.rows.every((i) => i.leaseId === first.leaseId && i.attempts === 1 && i.batchId === batchId)).toBe(true)
    expect(leaseRow(first.leaseId!)).toMatchObject({ kind: 'items', holder: 'test-holder', leaseUntil: until })
    const rows = itemRows(app, batchId)
    expect(rows.map((i) => i.status).sort()).toEqual(['queued', 'running', 'running'])
    // The rest is claimable once; then nothing is, until a lease ends.
    const second = claimItems(10, until)
    expect(second.rows).toHaveLength(1)
    expect(second.leaseId).not.toBe(first.leaseId)
    expect(claimOfferingItems.anyDue(app.deps, clock.now(), { offeringId: OFFERING })).toBe(false)
    expect(claimItems(10, until)).toEqual({ leaseId: null, rows: [] })
  })

  it('decodes JSON columns of the rows it returns (a batch claimed for routing carries its policy object)', async () => {
    const batchId = (await postBatch(app, app.newOrg('10.00').auth, { items: chatItems(1, LLAMA, 'json'), ...OPENHOST_ONLY }, newKey('json'))).body.id
    const claim = claimBatchesToRoute.claim(app.deps, { holder: 'test', until: clock.now() + 60_000, limit: 10, now: clock.now() })
    const batch = claim.rows.find((b) => b.id === batchId)!
    expect(batch.status).toBe('routing')
    expect(batch.policy).toMatchObject({ routingMode: 'cheapest', privacyTier: 'standard', only: ['openhost'] })
    expect(typeof batch.lockedRates).toBe('object')
    // Its lapsed lease sends it back to pending (ROUTING_LEASES' give-back), due now.
    clock.advance(60_001)
    expect(rescueLapsedLeases(app.deps, [ROUTING_LEASES], clock.now()).get('batch-routing')).toBe(claim.rows.length)
    expect(batchRow(app, batchId)).toMatchObject({ status: 'pending', leaseId: null, nextAttemptAt: clock.now() })
  })
})

describe('a routing pass over batches that share one lease', () => {
  it('routes every claimed batch in one pass: the lease ends with the last, giving none back to pending', async () => {
    const org = app.newOrg('10.00')
    const a = (await postBatch(app, org.auth, { items: chatItems(2, LLAMA, 'a'), ...OPENHOST_ONLY }, newKey('a'))).body.id
    // Three failed provider jobs open the edge provider's circuit: restricted work (edge lanes only) must wait.
    for (let i = 0; i < 3; i++) {
      const at = clock.now() - i
      app.deps.db.insert(providerJobsTable).values({ id: newId('providerJob'), batchId: a, laneId: `lane_x${i}`, provider: 'edge', offeringId: 'edge-llama-3.1-8b-instruct', kind: 'openai-batch', status: 'failed', cause: 'provider_failed', itemCount: 1, createdAt: at, nextPollAt: at, endedAt: at }).run()
    }
    const b = (await postBatch(app, org.auth, { items: chatItems(1, LLAMA, 'b'), privacy_tier: 'restricted' }, newKey('b'))).body.id
    const c = (await postBatch(app, org.auth, { items: chatItems(1, LLAMA, 'c'), ...OPENHOST_ONLY }, newKey('c'))).body.id
    expect(await app.runJob('route-batches')).toBe(false)
    expect([a, b, c].map((id) => batchRow(app, id)!.status)).toEqual(['dispatched', 'queued', 'dispatched'])
    expect([a, b, c].map((id) => batchRow(app, id)!.leaseId)).toEqual([null, null, null])
    expect(app.deps.db.select().from(leasesTable).all().filter((l) => l.kind === 'batch-routing')).toEqual([])
  })
})

describe('extend, end and rescue', () => {
  it('extending moves the lapse: rescue waits for the new end, then gives the rows back queued and due', async () => {
    const batchId = await queuedBatch(2)
    const claim = claimItems(10, clock.now() + 1000)
    expect(extendLease(app.deps, claim.leaseId!, clock.now() + 5000)).toBe(true)
    clock.advance(1001)
    expect(rescueLapsedLeases(app.deps, [ITEM_LEASES], clock.now()).size).toBe(0)
    expect(itemRows(app, batchId).map((i) => i.status)).toEqual(['running', 'running'])
    clock.advance(4000)
    expect(rescueLapsedLeases(app.deps, [ITEM_LEASES], clock.now()).get('items')).toBe(2)
    expect(itemRows(app, batchId).map((i) => [i.status, i.leaseId, i.nextAttemptAt, i.attempts])).toEqual(Array(2).fill(['queued', null, clock.now(), 1]))
    expect(leaseRow(claim.leaseId!)).toBeUndefined()
    // The holder lost it: extending a rescued lease says so.
    expect(extendLease(app.deps, claim.leaseId!, clock.now() + 5000)).toBe(false)
  })

  it('ending a lease gives back only the rows that still hold it; a row with its outcome stays as written', async () => {
    const batchId = await queuedBatch(2)
    const claim = claimItems(10, clock.now() + 60_000)
    const [done, open] = claim.rows
    const error = { kind: 'invalid_request' as const, retryable: false, message: 'refused' }
    recordOutcomes(app.deps, { recordedInTx: () => 0 }, [{ itemId: done!.id, attempt: 1, provider: 'openhost', rates: { input: 0, output: 0, slaMultiplierBps: 10_000 }, outcome: { ok: false, itemId: done!.id, error } }], clock.now())
    expect(endLease(app.deps, ITEM_LEASES, claim.leaseId!, clock.now())).toBe(1)
    const rows = new Map(itemRows(app, batchId).map((i) => [i.id, i]))
    expect([rows.get(done!.id)!.status, rows.get(open!.id)!.status, rows.get(open!.id)!.leaseId]).toEqual(['failed', 'queued', null])
    expect(leaseRow(claim.leaseId!)).toBeUndefined()
  })

  it('at start-up rescues every lease of the kinds it is given, whatever its end, and leaves other kinds alone', async () => {
    const batchId = await queuedBatch(1)
    const claim = claimItems(10, clock.now() + 3_600_000)
    expect(rescueLapsedLeases(app.deps, [PROVIDER_JOB_LEASES], clock.now(), Number.MAX_SAFE_INTEGER).size).toBe(0)
    expect(leaseRow(claim.leaseId!)).toBeDefined()
    expect(rescueLapsedLeases(app.deps, [ITEM_LEASES], clock.now(), Number.MAX_SAFE_INTEGER).get('items')).toBe(1)
    expect(itemRows(app, batchId).map((i) => i.status)).toEqual(['queued'])
    expect(app.deps.db.select().from(batchesTable).where(eq(batchesTable.id, batchId)).get()!.status).toBe('dispatched')
  })
})
