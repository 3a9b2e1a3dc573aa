/**
 * Conditional GETs of a batch and its results pages: every answer carries an ETag, If-None-Match
 * with the current one answers 304 without a body, and the ETag changes as soon as anything the
 * body shows changes (items finishing, a cancel, another page or filter). Authorization comes
 * first: another org presenting a valid ETag still gets 404. The bodies, now serialised by the
 * routes themselves (stored outputs passed through), carry exactly their schemas' fields.
 */
import { afterAll, beforeAll, describe, expect, it } from 'bun:test'
import { Value } from '@sinclair/typebox/value'
import { FakeClock } from '../../../src/lib/clock'
import { BatchObject, ResultsPage } from '../../../src/features/batches/models'
import { startTestApp, type TestApp } from '../../helpers/test-app'
import { LLAMA, OPENHOST_ONLY, chatItems, newKey, postBatch, runRound } from '../../helpers/batch-helpers'

let app: TestApp
const clock = new FakeClock()

beforeAll(async () => {
  app = await startTestApp({ clock, scheduler: false, config: { demo: true } })
})
afterAll(() => app.close())

async function get(path: string, headers: Record<string, string>) {
  const res = await app.request(path, { headers })
  return { status: res.status, etag: res.headers.get('etag'), cacheControl: res.headers.get('cache-control'), text: await res.text() }
}

describe('GET /v1/batches/{id} with ETag / If-None-Match', () => {
  it('answers 304 for the current ETag, 200 with a new one once the counts move, and 404 to another org', async () => {
    const org = app.newOrg('10.00')
    const created = await postBatch(app, org.auth, { items: chatItems(3, LLAMA, 'etag'), ...OPENHOST_ONLY }, newKey('etag'))
    expect(created.status).toBe(202)
    const path = `/v1/batches/${created.body.id}`
    await app.runJob('route-batches')

    const first = await get(path, org.auth)
    expect(first.status).toBe(200)
    expect(first.etag).toMatch(/^"[0-9a-z]+"$/)
    expect(first.cacheControl).toBe('private, no-cache')
    // Nothing changed: the same ETag again, and 304 without a body for each form of If-None-Match.
    expect((await get(path, org.auth)).etag).toBe(first.etag)
    for (const header of [first.etag!, `W/${first.etag}`, `"other", ${first.etag}`, '*']) {
      const again = await get(path, { ...org.auth, 'if-none-match': header })
      expect([again.status, again.text, again.etag]).toEqual([304, '', first.etag])
    }
    expect((await get(path, { ...org.auth, 'if-none-match': '"stale"' })).status).toBe(200)

    // Another org with the ETag: still not found, never a 304 that would confirm the batch exists.
    const other = app.newOrg('1.00')
    const foreign = await get(path, { ...other.auth, 'if-none-match': first.etag! })
    expect(foreign.status).toBe(404)

    // The billing receipt view is another body, so another ETag.
    expect((await get(`${path}?include_billing_receipt=true`, org.auth)).etag).not.toBe(first.etag)

    await runRound(app, clock)
    const moved = await get(path, { ...org.auth, 'if-none-match': first.etag! })
    expect(moved.status).toBe(200)
    expect(moved.etag).not.toBe(first.etag)
    const body = JSON.parse(moved.text)
    expect(body.request_counts).toEqual({ total: 3, completed: 3, failed: 0 })
    // Exactly the schema's fields (the route serialises the presenter's object itself now).
    expect(Value.Clean(BatchObject, structuredClone(body))).toEqual(body)
    expect(Value.Check(BatchObject, body)).toBe(true)
  })
})

describe('GET /v1/batches/{id}/results with ETag / If-None-Match', () => {
  it('answers 304 for an unchanged page and a new ETag when items finish (a cancel), per page and filter', async () => {
    const org = app.newOrg('10.00')
    const created = await postBatch(app, org.auth, { items: chatItems(4, LLAMA, 'etag-results'), ...OPENHOST_ONLY }, newKey('etag-results'))
    const path = `/v1/batches/${created.body.id}/results?limit=2`
    const empty = await get(path, org.auth)
    expect([empty.status, JSON.parse(empty.text).results]).toEqual([200, []])
    expect((await get(path, { ...org.auth, 'if-none-match': empty.etag! })).status).toBe(304)

    const cancelled = await app.request(`/v1/batches/${created.body.id}/cancel`, { method: 'POST', headers: org.auth })
    expect(cancelled.status).toBe(200)
    const after = await get(path, { ...org.auth, 'if-none-match': empty.etag! })
    expect(after.status).toBe(200)
    expect(after.etag).not.toBe(empty.etag)
    const page = JSON.parse(after.text)
    expect(page.results.map((r: { customer_item_id: string; status: string }) => [r.customer_item_id, r.status])).toEqual([
      ['etag-results-1', 'failed'],
      ['etag-results-2', 'failed'],
    ])
    expect(Value.Clean(ResultsPage, structuredClone(page))).toEqual(page)
    expect(Value.Check(ResultsPage, page)).toBe(true)
    expect((await get(path, { ...org.auth, 'if-none-match': after.etag! })).status).toBe(304)

    // The next page and a filtered page are other bodies with other ETags.
    const next = await get(`${path}&cursor=${page.next_cursor}`, org.auth)
    expect(next.etag).not.toBe(after.etag)
    const completedOnly = await get(`${path}&status=completed`, org.auth)
    expect(JSON.parse(completedOnly.text).results).toEqual([])
    expect(completedOnly.etag).not.toBe(after.etag)
  })

  it('passes stored outputs through unchanged: each result equals its item output parsed', async () => {
    const org = app.newOrg('10.00')
    const created = await postBatch(app, org.auth, { items: chatItems(2, LLAMA, 'pass'), ...OPENHOST_ONLY }, newKey('pass'))
    await runRound(app, clock)
    const page = JSON.parse((await get(`/v1/batches/${created.body.id}/results`, org.auth)).text)
    const stored = app.deps.db.$client.query('SELECT customer_item_id AS id, output FROM items WHERE batch_id = ? ORDER BY seq').all(created.body.id) as { id: string; output: string }[]
    expect(page.results.map((r: { customer_item_id: string; output: unknown }) => [r.customer_item_id, r.output])).toEqual(stored.map((s) => [s.id, JSON.parse(s.output)]))
    expect(page.results.every((r: { status: string }) => r.status === 'completed')).toBe(true)
  })
})
