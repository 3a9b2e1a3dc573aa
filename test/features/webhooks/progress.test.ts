/**
 * batch.progress: opt-in per org, written by the dispatcher flush in the same transaction as the
 * outcomes, at most once per batch every 30 s, never for a finishing batch.
 */
import { afterAll, beforeAll, describe, expect, it } from 'bun:test'
import { eq } from 'drizzle-orm'
import { FakeClock } from '../../../src/lib/clock'
import { writeTx } from '../../../src/db/tx'
import { itemsTable } from '../../../src/features/items/table'
import { enqueueProgressEventsInTx, PROGRESS_INTERVAL_MS } from '../../../src/features/webhooks/outbox'
import { startTestApp, type TestApp } from '../../helpers/test-app'
import { createBatch, eventsOf, LOOPBACK_WEBHOOKS, runToCompletion, setOrgWebhook } from './helpers'

describe('batch.progress events', () => {
  const clock = new FakeClock()
  let app: TestApp
  beforeAll(async () => {
    app = await startTestApp({ config: LOOPBACK_WEBHOOKS, scheduler: false, clock })
  })
  afterAll(() => app.close())

  it('are written by the dispatcher flush for an org that opted in, before the terminal event', async () => {
    const org = app.newOrg('5.00')
    await setOrgWebhook(app, org.auth, { url: 'http://127.0.0.1:9/hook', secret: 'whsec_12345678', progress_events: true })
    const batchId = await createBatch(app, org.auth, undefined, 3)
    await runToCompletion(app, batchId)
    const events = eventsOf(app, batchId).sort((a, b) => a.type.localeCompare(b.type))
    expect(events.map((e) => e.type)).toEqual(['batch.completed', 'batch.progress'])
    expect(events[1]!.createdAt).toBeLessThanOrEqual(events[0]!.createdAt)
    const progress = JSON.parse(events[1]!.body)
    expect(progress.data).toMatchObject({ batch_id: batchId, status: 'processing', openai_status: 'in_progress', request_counts: { total: 3, completed: 3, failed: 0 }, artifact_url: null, output_file_id: null })
  })

  it('are not written for an org that did not opt in', async () => {
    const org = app.newOrg('5.00')
    await setOrgWebhook(app, org.auth, { url: 'http://127.0.0.1:9/hook', secret: 'whsec_12345678' })
    const batchId = await createBatch(app, org.auth, undefined, 2)
    await runToCompletion(app, batchId)
    expect(eventsOf(app, batchId).map((e) => e.type)).toEqual(['batch.completed'])
  })

  it('come at most once per batch every 30 s', async () => {
    const org = app.newOrg('5.00')
    await setOrgWebhook(app, org.auth, { url: 'http://127.0.0.1:9/hook', secret: 'whsec_12345678', progress_events: true })
    const batchId = await createBatch(app, org.auth, undefined, 2)
    await app.runJob('route-batches') // dispatched, items queued: running but not finishing
    const itemIds = app.deps.db.select({ id: itemsTable.id }).from(itemsTable).where(eq(itemsTable.batchId, batchId)).all().map((r) => r.id)
    const t0 = clock.now()
    const at = (ms: number) => writeTx(app.deps.db, () => enqueueProgressEventsInTx(app.deps, itemIds, t0 + ms))
    expect([at(0), at(10_000), at(PROGRESS_INTERVAL_MS - 1), at(PROGRESS_INTERVAL_MS), at(PROGRESS_INTERVAL_MS + 5_000)]).toEqual([1, 0, 0, 1, 0])
    expect(eventsOf(app, batchId).map((e) => e.type)).toEqual(['batch.progress', 'batch.progress'])
  })
})
