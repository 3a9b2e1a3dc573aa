/**
 * GET /v1/admin/providers and GET /v1/admin/overview: the operator console's provider health and
 * totals, read from a demo appliance driven by hand on a fake clock.
 */
import { afterAll, beforeAll, describe, expect, it } from 'bun:test'
import { json, startTestApp, type TestApp } from '../../helpers/test-app'
import { FakeClock } from '../../../src/lib/clock'
import { newId } from '../../../src/lib/ids'
import { providerJobsTable } from '../../../src/features/dispatch/index'
import { LLAMA, OPENHOST_ONLY, chatItems, newKey, postBatch } from '../../helpers/batch-helpers'

const clock = new FakeClock()
let app: TestApp
let admin: Record<string, string>
beforeAll(async () => {
  app = await startTestApp({ clock, scheduler: false, config: { demo: true } })
  admin = { authorization: `Bearer ${app.adminKey()}` }
})
afterAll(() => app.close())

const get = (path: string) => json(app.request(path, { headers: admin }))
const providerOf = (body: any, id: string) => body.data.find((p: any) => p.provider === id)

/** Three provider jobs of `provider` that ended failed just now: enough to open its circuit. */
function failThreeJobs(provider: string, batchId: string) {
  for (let i = 0; i < 3; i++) {
    const now = clock.now() - i
    app.deps.db.insert(providerJobsTable).values({ id: newId('providerJob'), batchId, laneId: `lane_${i}`, provider, offeringId: `${provider}-x`, kind: 'openai-batch', status: 'failed', cause: 'provider_failed', itemCount: 1, createdAt: now, nextPollAt: now, endedAt: now }).run()
  }
}

describe('GET /v1/admin/providers', () => {
  it('lists every catalog provider, configured (demo wiring) with a closed circuit and nothing held', async () => {
    const res = await get('/v1/admin/providers')
    expect(res.status).toBe(200)
    const catalog = app.deps.catalog()
    expect(res.body.data.map((p: any) => p.provider)).toEqual(catalog.providers.map((p) => p.id))
    for (const p of res.body.data) {
      expect(p).toMatchObject({ configured: true, circuit: 'closed', held_items: 0 })
      expect(p.offerings).toBe(catalog.offerings.filter((o) => o.provider === p.provider).length)
    }
  })

  it('counts the items a routed batch holds on its provider, and shows an open circuit after repeated failures', async () => {
    const org = app.newOrg('5')
    const created = await postBatch(app, org.auth, { items: chatItems(4, LLAMA, 'held'), ...OPENHOST_ONLY }, newKey('held'))
    expect(created.status).toBe(202)
    await app.runJob('route-batches')
    const before = (await get('/v1/admin/providers')).body
    expect(providerOf(before, 'openhost').held_items).toBe(4)
    failThreeJobs('openai', created.body.id)
    const after = (await get('/v1/admin/providers')).body
    expect(providerOf(after, 'openai').circuit).toBe('open')
    expect(after.data.filter((p: any) => p.circuit !== 'closed').map((p: any) => p.provider)).toEqual(['openai'])
  })
})

describe('GET /v1/admin/overview', () => {
  it('answers the totals: orgs, batches by status, ledger and HTTP answers by class', async () => {
    const first = (await get('/v1/admin/overview')).body
    const org = app.newOrg('2.5')
    await json(app.request('/v1/no-such-route', { headers: admin }))
    const res = await get('/v1/admin/overview')
    expect(res.status).toBe(200)
    expect(res.body).toMatchObject({ object: 'overview', generated_at: new Date(clock.now()).toISOString(), orgs: first.orgs + 1 })
    expect(Number(res.body.ledger.granted) - Number(first.ledger.granted)).toBeCloseTo(2.5, 6)
    expect(res.body.http.client_errors).toBeGreaterThanOrEqual(first.http.client_errors + 1)
    expect(res.body.http.total).toBeGreaterThan(first.http.total)
    const created = await postBatch(app, org.auth, { items: chatItems(2, 'gpt-4o-mini', 'ov') }, newKey('ov'))
    const withBatch = (await get('/v1/admin/overview')).body
    expect(withBatch.batches[created.body.batch.status]).toBe((res.body.batches[created.body.batch.status] ?? 0) + 1)
    expect(withBatch.ledger.reserved).not.toBe(res.body.ledger.reserved)
  })
})
