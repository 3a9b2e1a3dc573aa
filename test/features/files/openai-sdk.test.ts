/** The Files API through the official `openai` SDK: what an unmodified client puts on the wire. */
import { afterAll, beforeAll, describe, expect, it } from 'bun:test'
import { writeFileSync } from 'node:fs'
import { createReadStream } from 'node:fs'
import { join } from 'node:path'
import OpenAI, { toFile } from 'openai'
import { startTestApp, type TestApp } from '../../helpers/test-app'
import { jsonlLines, sha256Hex } from './helpers'

let app: TestApp
let client: OpenAI

beforeAll(async () => {
  app = await startTestApp({ scheduler: false })
  client = new OpenAI({ apiKey: app.newOrg().key, baseURL: `${app.url}/v1`, maxRetries: 0 })
})
afterAll(() => app.close())

describe('Files API with the openai SDK', () => {
  it('uploads, lists, retrieves, downloads and deletes a batch input', async () => {
    const text = jsonlLines(4)
    const created = await client.files.create({ file: await toFile(Buffer.from(text), 'requests.jsonl'), purpose: 'batch', expires_after: { anchor: 'created_at', seconds: 3600 } })
    expect(created).toMatchObject({ object: 'file', purpose: 'batch', filename: 'requests.jsonl', bytes: Buffer.byteLength(text), status: 'processed' })
    expect(created.expires_at! - created.created_at).toBe(3600)
    expect((created as unknown as { line_count: number }).line_count).toBe(4)

    const listed = []
    for await (const file of client.files.list({ limit: 1 })) listed.push(file.id)
    expect(listed).toContain(created.id)
    expect(await client.files.retrieve(created.id)).toMatchObject({ id: created.id, bytes: created.bytes })
    expect(await (await client.files.content(created.id)).text()).toBe(text)
    expect(await client.files.delete(created.id)).toEqual({ id: created.id, object: 'file', deleted: true })
    const gone = await client.files.retrieve(created.id).catch((e: unknown) => e)
    expect(gone).toBeInstanceOf(OpenAI.NotFoundError)
  })

  it('uploads from a file stream (the SDK streams it as multipart)', async () => {
    const text = jsonlLines(3)
    const path = join(app.deps.paths.dataDir, 'sdk-input.jsonl')
    writeFileSync(path, text)
    const created = await client.files.create({ file: createReadStream(path), purpose: 'batch' })
    expect(created).toMatchObject({ filename: 'sdk-input.jsonl', bytes: Buffer.byteLength(text) })
    expect((created as unknown as { sha256: string }).sha256).toBe(sha256Hex(text))
  })

  it('surfaces a bad line as a 400 BadRequestError naming the line', async () => {
    const err = await client.files.create({ file: await toFile(Buffer.from('{"a":1}\nnope\n'), 'bad.jsonl'), purpose: 'batch' }).catch((e) => e)
    expect(err).toBeInstanceOf(OpenAI.BadRequestError)
    expect(err.error).toMatchObject({ code: 'invalid_request', details: { line: 2 } })
  })
})
