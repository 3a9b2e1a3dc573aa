/**
 * File purposes as the OpenAI SDKs type them: natively uploaded files (raw body, `model_input`,
 * inline-items batch inputs, rows of the first release) answer with an OpenAI purpose, and the
 * native `sha256` list filter finds an earlier upload of the same bytes.
 */
import { afterAll, beforeAll, describe, expect, it } from 'bun:test'
import { json, startTestApp, type TestApp } from '../../helpers/test-app'
import { jsonlLines, sha256Hex, uploadRaw } from './helpers'

/** `FileObject['purpose']` of the openai SDK (resources/files.d.ts). */
const OPENAI_FILE_PURPOSES = ['assistants', 'assistants_output', 'batch', 'batch_output', 'fine-tune', 'fine-tune-results', 'vision', 'user_data']

let app: TestApp
let org: ReturnType<TestApp['newOrg']>
beforeAll(async () => {
  app = await startTestApp()
  org = app.newOrg('5.00')
})
afterAll(() => app.close())

const list = async (query = '') => (await json(app.request(`/v1/files${query}`, { headers: org.auth }))).body

describe('file purposes on the wire', () => {
  it('answers purpose batch for a raw JSONL upload without a purpose header, and for model_input', async () => {
    for (const headers of [{}, { 'x-batchrouter-purpose': 'model_input' }] as Record<string, string>[]) {
      const { status, body } = await json(uploadRaw(app, org.auth, jsonlLines(2), headers))
      expect(status).toBe(200)
      expect(body.purpose).toBe('batch')
      expect((await json(app.request(`/v1/files/${body.id}`, { headers: org.auth }))).body.purpose).toBe('batch')
    }
  })

  it('answers purpose user_data for a raw model_input image', async () => {
    const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])
    const { body } = await json(uploadRaw(app, org.auth, png, { 'content-type': 'image/png', 'x-batchrouter-purpose': 'model_input' }))
    expect(body.purpose).toBe('user_data')
  })

  it("shows a first-release model_input row as batch and lists it under ?purpose=batch", async () => {
    const { body } = await json(uploadRaw(app, org.auth, jsonlLines(1), { 'x-batchrouter-filename': 'legacy.jsonl' }))
    app.deps.db.$client.query("UPDATE files SET purpose = 'model_input' WHERE id = ?").run(body.id)
    expect((await json(app.request(`/v1/files/${body.id}`, { headers: org.auth }))).body.purpose).toBe('batch')
    expect((await list('?purpose=batch')).data.map((f: { id: string }) => f.id)).toContain(body.id)
  })

  it('gives the input file of an inline-items batch an OpenAI purpose', async () => {
    // No provider is configured in this app: restricted work for an edge lane is accepted and waits
    // for a node (a model whose providers are not configured would be refused at create).
    const items = [{ customer_item_id: 'a', operation: 'embeddings', model: 'nomic-embed-text', input: { input: 'hello' } }]
    const created = await json(app.request('/v1/batches', { method: 'POST', headers: { ...org.auth, 'content-type': 'application/json', 'idempotency-key': 'purpose-inline-0001' }, body: JSON.stringify({ items, privacy_tier: 'restricted' }) }))
    expect(created.status).toBe(202)
    expect(created.body.input_file_id).toMatch(/^file_/)
    expect((await json(app.request(`/v1/files/${created.body.input_file_id}`, { headers: org.auth }))).body.purpose).toBe('batch')
    for (const file of (await list()).data) expect(OPENAI_FILE_PURPOSES).toContain(file.purpose)
  })
})

describe('GET /v1/files?sha256=', () => {
  it('lists only the files with those bytes', async () => {
    const text = jsonlLines(4)
    const first = (await json(uploadRaw(app, org.auth, text))).body
    await json(uploadRaw(app, org.auth, jsonlLines(5)))
    const found = await list(`?sha256=${sha256Hex(text)}`)
    expect(found.data.map((f: { id: string }) => f.id)).toEqual([first.id])
    expect((await list(`?sha256=${'0'.repeat(64)}`)).data).toEqual([])
  })

  it('answers 400 validation_failed for a value that is not a lowercase hex SHA-256', async () => {
    const res = await json(app.request('/v1/files?sha256=XYZ', { headers: org.auth }))
    expect(res.status).toBe(400)
    expect(res.body.error.code).toBe('validation_failed')
  })
})
