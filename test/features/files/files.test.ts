import { afterAll, beforeAll, describe, expect, it } from 'bun:test'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { filesTable } from '../../../src/features/files/table'
import { FakeClock } from '../../../src/lib/clock'
import { newId } from '../../../src/lib/ids'
import { eq } from 'drizzle-orm'
import { json, startTestApp, type TestApp } from '../../helpers/test-app'
import { jsonlLines, uploadForm, uploadRaw } from './helpers'

let app: TestApp
let clock: FakeClock
let org: ReturnType<TestApp['newOrg']>
let other: ReturnType<TestApp['newOrg']>

beforeAll(async () => {
  clock = new FakeClock()
  app = await startTestApp({ clock, scheduler: false })
  org = app.newOrg()
  other = app.newOrg()
})
afterAll(() => app.close())

/** Uploads a small JSONL file one fake second after the previous one; returns its id. */
async function upload(who = org, purpose = 'batch'): Promise<string> {
  clock.advance(1000)
  const { status, body } = await json(uploadForm(app, who.auth, [['purpose', purpose], ['file', { blob: new Blob([jsonlLines(1)]), filename: `${purpose}.jsonl` }]]))
  expect(status).toBe(200)
  return body.id
}

/**
 * Inserts a minimal batch row reading `inputFileId`. Raw SQL naming only the NOT NULL columns, so
 * the test does not depend on batch columns that are not migrated yet.
 */
function insertBatch(inputFileId: string, status: string): string {
  const id = newId('batch')
  const now = clock.now()
  app.deps.db.$client
    .query(
      `INSERT INTO batches (id, org_id, status, shape, endpoint, input_file_id, input_path, sla_tier, routing_mode, privacy_tier, policy,
        item_count, estimate, locked_rates, sla_multiplier_bps, reserved_micros, created_at, updated_at, sla_deadline, next_attempt_at)
       VALUES (?, ?, ?, 'openai', '/v1/chat/completions', ?, 'files/x', 'standard', 'cheapest', 'standard', '{}', 1, '{}', '{}', 10000, 0, ?, ?, ?, ?)`,
    )
    .run(id, org.orgId, status, inputFileId, now, now, now + 86_400_000, now)
  return id
}

describe('GET /v1/files', () => {
  let ids: string[] = []
  let scope: ReturnType<TestApp['newOrg']>
  beforeAll(async () => {
    scope = app.newOrg()
    ids = []
    for (let i = 0; i < 5; i++) ids.push(await upload(scope, i % 2 === 0 ? 'batch' : 'user_data'))
  })

  it('lists newest first by default with the OpenAI list envelope', async () => {
    const { status, body } = await json(app.request('/v1/files', { headers: scope.auth }))
    expect(status).toBe(200)
    expect(body.object).toBe('list')
    expect(body.data.map((f: { id: string }) => f.id)).toEqual([...ids].reverse())
    expect(body).toMatchObject({ first_id: ids[4], last_id: ids[0], has_more: false })
  })

  it('pages with after/limit in both orders until has_more is false', async () => {
    for (const order of ['asc', 'desc'] as const) {
      const seen: string[] = []
      let after: string | undefined
      for (let page = 0; page < 10; page++) {
        const query = new URLSearchParams({ limit: '2', order, ...(after ? { after } : {}) })
        const { status, body } = await json(app.request(`/v1/files?${query}`, { headers: scope.auth }))
        expect(status).toBe(200)
        expect(body.data.length).toBeLessThanOrEqual(2)
        seen.push(...body.data.map((f: { id: string }) => f.id))
        if (!body.has_more) break
        after = body.last_id
      }
      expect(seen).toEqual(order === 'asc' ? ids : [...ids].reverse())
    }
  })

  it('filters by purpose', async () => {
    const { body } = await json(app.request('/v1/files?purpose=user_data&order=asc', { headers: scope.auth }))
    expect(body.data.map((f: { id: string }) => f.id)).toEqual([ids[1], ids[3]])
  })

  it('answers an empty page with null first_id/last_id', async () => {
    const { body } = await json(app.request('/v1/files?purpose=vision', { headers: scope.auth }))
    expect(body).toEqual({ object: 'list', data: [], first_id: null, last_id: null, has_more: false })
  })

  it('keeps paging past a cursor file that was deleted', async () => {
    const victim = await upload(scope, 'assistants')
    const next = await upload(scope, 'assistants')
    expect((await app.request(`/v1/files/${victim}`, { method: 'DELETE', headers: scope.auth })).status).toBe(200)
    const { body } = await json(app.request(`/v1/files?order=asc&purpose=assistants&after=${victim}`, { headers: scope.auth }))
    expect(body.data.map((f: { id: string }) => f.id)).toEqual([next])
  })

  it.each([
    ['limit=0', 'validation_failed'],
    ['limit=10001', 'validation_failed'],
    ['order=sideways', 'validation_failed'],
    ['after=file_doesNotExist0000000000000', 'invalid_request'],
  ])('answers 400 for %s', async (query, code) => {
    const { status, body } = await json(app.request(`/v1/files?${query}`, { headers: scope.auth }))
    expect(status).toBe(400)
    expect(body.error.code).toBe(code)
  })

  it("never lists another org's files", async () => {
    const { body } = await json(app.request('/v1/files', { headers: other.auth }))
    expect(body.data.every((f: { id: string }) => !ids.includes(f.id))).toBe(true)
  })
})

describe('GET /v1/files/{id} and /content', () => {
  it('returns the file object and the raw bytes with the stored content type', async () => {
    const text = jsonlLines(2)
    const up = await json(uploadRaw(app, org.auth, text, { 'x-batchrouter-filename': 'two.jsonl' }))
    const got = await json(app.request(`/v1/files/${up.body.id}`, { headers: org.auth }))
    expect(got.status).toBe(200)
    expect(got.body).toEqual(up.body)
    const content = await app.request(`/v1/files/${up.body.id}/content`, { headers: { ...org.auth, accept: 'application/binary' } })
    expect(content.status).toBe(200)
    expect(content.headers.get('content-type')).toBe('application/jsonl')
    expect(await content.text()).toBe(text)
  })

  it('serves binary content byte for byte', async () => {
    const bytes = new Uint8Array(4096).map((_, i) => (i * 31) % 256)
    const up = await json(uploadRaw(app, org.auth, bytes, { 'content-type': 'image/jpeg', 'x-batchrouter-purpose': 'vision' }))
    const content = await app.request(`/v1/files/${up.body.id}/content`, { headers: org.auth })
    expect(content.headers.get('content-type')).toBe('image/jpeg')
    expect(new Uint8Array(await content.arrayBuffer())).toEqual(bytes)
  })
})

describe('DELETE /v1/files/{id}', () => {
  it('removes the bytes, marks the row deleted and answers 404 afterwards', async () => {
    const id = await upload()
    const path = join(app.deps.paths.files, id)
    expect(existsSync(path)).toBe(true)
    const { status, body } = await json(app.request(`/v1/files/${id}`, { method: 'DELETE', headers: org.auth }))
    expect(status).toBe(200)
    expect(body).toEqual({ id, object: 'file', deleted: true })
    expect(existsSync(path)).toBe(false)
    expect(app.deps.db.select().from(filesTable).where(eq(filesTable.id, id)).get()!.deletedAt).toBe(clock.now())
    for (const suffix of ['', '/content']) expect((await app.request(`/v1/files/${id}${suffix}`, { headers: org.auth })).status).toBe(404)
    expect((await app.request(`/v1/files/${id}`, { method: 'DELETE', headers: org.auth })).status).toBe(404)
    const list = await json(app.request('/v1/files', { headers: org.auth }))
    expect(list.body.data.some((f: { id: string }) => f.id === id)).toBe(false)
  })

  it('answers 409 file_in_use while a batch that is not terminal reads the file', async () => {
    const id = await upload()
    insertBatch(id, 'processing')
    const { status, body, headers } = await json(app.request(`/v1/files/${id}`, { method: 'DELETE', headers: org.auth }))
    expect(status).toBe(409)
    expect(body.error.code).toBe('file_in_use')
    expect(headers.get('x-should-retry')).toBe('false')
    expect(existsSync(join(app.deps.paths.files, id))).toBe(true)
    expect((await app.request(`/v1/files/${id}`, { headers: org.auth })).status).toBe(200)
  })

  it('deletes a file whose batches are all terminal', async () => {
    const id = await upload()
    for (const status of ['completed', 'failed', 'cancelled', 'expired']) insertBatch(id, status)
    expect((await app.request(`/v1/files/${id}`, { method: 'DELETE', headers: org.auth })).status).toBe(200)
  })
})

describe("another org's file and missing keys", () => {
  let id: string
  beforeAll(async () => {
    id = await upload()
  })

  it.each([
    ['GET', ''],
    ['GET', '/content'],
    ['DELETE', ''],
  ])("answers 404 not_found for %s /v1/files/{id}%s of another org's file", async (method, suffix) => {
    const { status, body } = await json(app.request(`/v1/files/${id}${suffix}`, { method, headers: other.auth }))
    expect(status).toBe(404)
    expect(body.error.code).toBe('not_found')
    expect(existsSync(join(app.deps.paths.files, id))).toBe(true)
  })

  it("rejects another org's file as a list cursor", async () => {
    expect((await app.request(`/v1/files?after=${id}`, { headers: other.auth })).status).toBe(400)
  })

  it.each([
    ['GET', '/v1/files'],
    ['POST', '/v1/files'],
    ['GET', '/v1/files/{id}'],
    ['GET', '/v1/files/{id}/content'],
    ['DELETE', '/v1/files/{id}'],
  ])('answers 401 unauthorized for %s %s without a key', async (method, path) => {
    const { status, body } = await json(app.request(path.replace('{id}', id), { method }))
    expect(status).toBe(401)
    expect(body.error.code).toBe('unauthorized')
  })

  it('answers 401 for a malformed key', async () => {
    expect((await app.request(`/v1/files/${id}`, { headers: { authorization: 'Bearer br_live_nope' } })).status).toBe(401)
  })
})
