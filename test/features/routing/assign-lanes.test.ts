/**
 * route-batches queues a lane's items in chunks; a crash between chunks must neither lose nor
 * double-queue an item. Simulated by undoing part of a finished fill and expiring the lease.
 */
import { afterAll, beforeAll, describe, expect, it } from 'bun:test'
import { eq } from 'drizzle-orm'
import { FakeClock } from '../../../src/lib/clock'
import { batchesTable, ROUTING_LEASES } from '../../../src/features/batches/index'
import { itemsTable } from '../../../src/features/items/table'
import { lanesTable } from '../../../src/features/dispatch/table'
import { startTestApp, type TestApp } from '../../helpers/test-app'
import { LLAMA, OPENHOST_ONLY, chatItems, driveToTerminal, itemRows, leaseRows, newKey, postBatch } from '../../helpers/batch-helpers'

let app: TestApp
const clock = new FakeClock()
beforeAll(async () => {
  app = await startTestApp({ clock, scheduler: false, config: { demo: true } })
})
afterAll(() => app.close())

describe('route-batches resumes an interrupted lane fill', () => {
  it('refills the existing lane after a crash mid-fill: same lanes, every item queued once, batch completes', async () => {
    const org = app.newOrg('10.00')
    const created = await postBatch(app, org.auth, { items: chatItems(120, LLAMA), ...OPENHOST_ONLY }, newKey('resume'))
    expect(created.status).toBe(202)
    const batchId = created.body.id as string
    await app.runJob('route-batches')
    const lanes = app.deps.db.select().from(lanesTable).where(eq(lanesTable.batchId, batchId)).all()
    expect(lanes).toHaveLength(1)
    expect(itemRows(app, batchId).every((i) => i.status === 'queued' && i.laneId === lanes[0]!.id)).toBe(true)

    // The crash: the last 50 items were never queued and the batch is still `routing` with a lapsed lease.
    const tail = itemRows(app, batchId).sort((a, b) => a.seq - b.seq).slice(70)
    for (const item of tail) app.deps.db.update(itemsTable).set({ status: 'pending', laneId: null, offeringId: null, provider: null }).where(eq(itemsTable.id, item.id)).run()
    app.deps.db.update(batchesTable).set({ status: 'routing' }).where(eq(batchesTable.id, batchId)).run()
    leaseRows(app, ROUTING_LEASES, [batchId], clock.now() - 1)

    await app.runJob('rescue-leases')
    expect(app.deps.db.select().from(batchesTable).where(eq(batchesTable.id, batchId)).get()!.status).toBe('pending')
    await app.runJob('route-batches')

    const after = app.deps.db.select().from(lanesTable).where(eq(lanesTable.batchId, batchId)).all()
    expect(after.map((l) => l.id)).toEqual([lanes[0]!.id])
    const items = itemRows(app, batchId)
    expect(items.filter((i) => i.status === 'queued' && i.laneId === lanes[0]!.id)).toHaveLength(120)
    expect(app.deps.db.select().from(batchesTable).where(eq(batchesTable.id, batchId)).get()!.status).toBe('dispatched')

    const done = await driveToTerminal(app, clock, batchId)
    expect(done.status).toBe('completed')
    expect(itemRows(app, batchId).every((i) => i.status === 'completed' && i.attempts === 1)).toBe(true)
  })
})
