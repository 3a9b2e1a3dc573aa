import { afterAll, beforeAll, describe, expect, it } from 'bun:test'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { json, startTestApp, type TestApp } from '../../helpers/test-app'
import { expectNoTrace, jsonlLines, multipartStream, sha256Hex, traceOf, uploadForm, uploadRaw } from './helpers'

const DAY = 24 * 3600
let app: TestApp
let org: ReturnType<TestApp['newOrg']>

beforeAll(async () => {
  app = await startTestApp({ config: { limits: { batchUploadBytes: 1000, batchLines: 5, lineBytes: 300 } } })
  org = app.newOrg()
})
afterAll(() => app.close())

const small = jsonlLines(3)
const octet = (text: string | Uint8Array, filename = 'requests.jsonl', type = 'application/octet-stream') => ({ blob: new Blob([text], { type }), filename })

describe('POST /v1/files — accepted uploads', () => {
  it('stores a raw JSONL body with its sha256, size, line count and 30-day expiry', async () => {
    const { status, body } = await json(uploadRaw(app, org.auth, small, { 'x-batchrouter-filename': encodeURIComponent('my requests.jsonl') }))
    expect(status).toBe(200)
    expect(body).toMatchObject({
      object: 'file',
      bytes: Buffer.byteLength(small),
      filename: 'my requests.jsonl',
      purpose: 'batch',
      status: 'processed',
      content_type: 'application/jsonl',
      sha256: sha256Hex(small),
      line_count: 3,
    })
    expect(body.id).toMatch(/^file_[0-9A-Za-z]{24}$/)
    expect(body.file_id).toBe(body.id)
    expect(body.expires_at - body.created_at).toBe(30 * DAY)
    expect(readFileSync(join(app.deps.paths.files, body.id), 'utf8')).toBe(small)
  })

  it('stores a raw non-JSONL file as-is, without line count or expiry', async () => {
    const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 1, 2, 3])
    const { status, body } = await json(uploadRaw(app, org.auth, png, { 'content-type': 'image/png', 'x-batchrouter-purpose': 'vision' }))
    expect(status).toBe(200)
    expect(body).toMatchObject({ bytes: png.length, purpose: 'vision', content_type: 'image/png', filename: 'upload.png', expires_at: null, sha256: sha256Hex(png) })
    expect(body.line_count).toBeUndefined()
  })

  it('stores an empty non-batch file', async () => {
    const { status, body } = await json(uploadRaw(app, org.auth, '', { 'content-type': 'text/plain', 'x-batchrouter-purpose': 'user_data', 'x-batchrouter-filename': 'empty.txt' }))
    expect(status).toBe(200)
    expect(body).toMatchObject({ bytes: 0, filename: 'empty.txt', content_type: 'text/plain', sha256: sha256Hex('') })
    expect(readFileSync(join(app.deps.paths.files, body.id), 'utf8')).toBe('')
  })

  it('accepts OpenAI multipart with an octet-stream part, purpose after the file and expires_after', async () => {
    const { status, body } = await json(
      uploadForm(app, org.auth, [
        ['file', octet(small, 'batch_in.jsonl')],
        ['purpose', 'batch'],
        ['expires_after[anchor]', 'created_at'],
        ['expires_after[seconds]', '7200'],
      ]),
    )
    expect(status).toBe(200)
    expect(body).toMatchObject({ filename: 'batch_in.jsonl', purpose: 'batch', content_type: 'application/jsonl', line_count: 3, bytes: Buffer.byteLength(small), sha256: sha256Hex(small) })
    expect(body.expires_at - body.created_at).toBe(7200)
  })

  it('accepts a chunked multipart stream (no Content-Length) delivered a few bytes at a time', async () => {
    const bytes = new TextEncoder().encode(small)
    const { body: stream, contentType } = multipartStream([
      { name: 'file', filename: 'tiny-chunks.jsonl', contentType: 'application/octet-stream', chunks: () => inPieces(bytes, 7) },
      { name: 'purpose', value: 'batch' },
    ])
    const { status, body } = await json(app.request('/v1/files', { method: 'POST', headers: { ...org.auth, 'content-type': contentType }, body: stream, duplex: 'half' } as RequestInit))
    expect(status).toBe(200)
    expect(body).toMatchObject({ filename: 'tiny-chunks.jsonl', line_count: 3, bytes: bytes.length, sha256: sha256Hex(bytes) })
  })

  it('treats an octet-stream part with no known extension as JSONL for purpose batch', async () => {
    const { status, body } = await json(uploadForm(app, org.auth, [['purpose', 'batch'], ['file', octet(small, 'unknown_file')]]))
    expect(status).toBe(200)
    expect(body).toMatchObject({ filename: 'unknown_file', content_type: 'application/jsonl', line_count: 3 })
  })

  it('accepts a CRLF file and a last line without a newline', async () => {
    const text = '{"a":1}\r\n{"b":2}\r\n{"c":3}'
    const { status, body } = await json(uploadRaw(app, org.auth, text, { 'content-type': 'application/x-ndjson' }))
    expect(status).toBe(200)
    expect(body).toMatchObject({ line_count: 3, content_type: 'application/x-ndjson', filename: 'upload.ndjson' })
  })

  it('keeps a multipart non-batch file unchecked (a .jsonl with purpose user_data)', async () => {
    const { status, body } = await json(uploadForm(app, org.auth, [['file', octet('not json at all\n\n', 'notes.jsonl')], ['purpose', 'user_data']]))
    expect(status).toBe(200)
    expect(body).toMatchObject({ purpose: 'user_data', content_type: 'application/jsonl', expires_at: null })
    expect(body.line_count).toBeUndefined()
  })
})

interface Refusal {
  name: string
  send: () => Promise<Response>
  status: number
  code: string
  message?: RegExp
  line?: number
}

const refusals: Refusal[] = [
  {
    name: '411 length_required for a raw body without Content-Length',
    send: () => app.request('/v1/files', { method: 'POST', headers: { ...org.auth, 'content-type': 'application/jsonl' }, body: streamOf(small), duplex: 'half' } as RequestInit),
    status: 411,
    code: 'length_required',
  },
  { name: '413 payload_too_large for a Content-Length over the limit', send: () => uploadRaw(app, org.auth, '{"a":1}\n'.repeat(130)), status: 413, code: 'payload_too_large', message: /1000 bytes/ },
  {
    name: '413 payload_too_large for a chunked multipart stream over the limit',
    send: () => {
      const { body, contentType } = multipartStream([
        { name: 'purpose', value: 'batch' },
        { name: 'file', filename: 'big.jsonl', contentType: 'application/octet-stream', chunks: () => inPieces(new TextEncoder().encode('{"a":1}\n'.repeat(130)), 100) },
      ])
      return app.request('/v1/files', { method: 'POST', headers: { ...org.auth, 'content-type': contentType }, body, duplex: 'half' } as RequestInit)
    },
    status: 413,
    code: 'payload_too_large',
  },
  {
    name: '413 payload_too_large for a multipart file over the limit',
    send: () => uploadForm(app, org.auth, [['purpose', 'batch'], ['file', octet('{"a":1}\n'.repeat(130))]]),
    status: 413,
    code: 'payload_too_large',
  },
  {
    name: '413 payload_too_large for an over-limit multipart file whose purpose came last',
    send: () => uploadForm(app, org.auth, [['file', octet('{"a":1}\n'.repeat(130))], ['purpose', 'batch']]),
    status: 413,
    code: 'payload_too_large',
  },
  { name: '415 unsupported_media_type for a raw zip', send: () => uploadRaw(app, org.auth, 'PK..', { 'content-type': 'application/zip' }), status: 415, code: 'unsupported_media_type' },
  { name: '415 for a multipart part of an unaccepted type', send: () => uploadForm(app, org.auth, [['purpose', 'assistants'], ['file', octet('MZ', 'tool.exe', 'application/x-msdownload')]]), status: 415, code: 'unsupported_media_type' },
  { name: '415 for an octet-stream part with no known extension and a non-batch purpose', send: () => uploadForm(app, org.auth, [['file', octet('xx', 'blob')], ['purpose', 'assistants']]), status: 415, code: 'unsupported_media_type' },
  { name: '400 naming line 3 for a raw file with a bad line 3', send: () => uploadRaw(app, org.auth, '{"a":1}\n{"b":2}\nnot json\n{"d":4}\n'), status: 400, code: 'invalid_request', message: /Line 3/, line: 3 },
  { name: '400 naming line 3 in multipart, purpose first', send: () => uploadForm(app, org.auth, [['purpose', 'batch'], ['file', octet('{"a":1}\n{"b":2}\n{"c":\n')]]), status: 400, code: 'invalid_request', message: /Line 3/, line: 3 },
  { name: '400 naming line 3 in multipart, purpose last', send: () => uploadForm(app, org.auth, [['file', octet('{"a":1}\n{"b":2}\n[1,2]\n')], ['purpose', 'batch']]), status: 400, code: 'invalid_request', message: /Line 3 is not a JSON object/, line: 3 },
  { name: '400 naming an interior blank line', send: () => uploadRaw(app, org.auth, '{"a":1}\n\n{"c":3}\n'), status: 400, code: 'invalid_request', message: /Line 2 is blank/, line: 2 },
  { name: '400 naming a line that is not UTF-8', send: () => uploadRaw(app, org.auth, Buffer.concat([Buffer.from('{"a":1}\n{"b":"'), Buffer.from([0xff, 0xfe]), Buffer.from('"}\n')])), status: 400, code: 'invalid_request', message: /Line 2 is not valid UTF-8/, line: 2 },
  { name: '400 for a line longer than lineBytes', send: () => uploadRaw(app, org.auth, `{"a":1}\n{"b":"${'x'.repeat(400)}"}\n`), status: 400, code: 'invalid_request', message: /Line 2 is longer than 300 bytes/, line: 2 },
  { name: '413 for more lines than batchLines', send: () => uploadRaw(app, org.auth, '{}\n'.repeat(6)), status: 413, code: 'payload_too_large', message: /more than 5 lines/, line: 6 },
  { name: '400 for an empty batch input', send: () => uploadRaw(app, org.auth, ''), status: 400, code: 'invalid_request', message: /no lines/ },
  { name: '400 validation_failed for an unknown purpose header', send: () => uploadRaw(app, org.auth, small, { 'x-batchrouter-purpose': 'fun' }), status: 400, code: 'validation_failed', message: /Unknown purpose/ },
  { name: '400 validation_failed for multipart without purpose', send: () => uploadForm(app, org.auth, [['file', octet(small)]]), status: 400, code: 'validation_failed', message: /purpose/ },
  { name: '400 validation_failed for multipart without a file', send: () => uploadForm(app, org.auth, [['purpose', 'batch']]), status: 400, code: 'validation_failed', message: /'file'/ },
  {
    name: '400 validation_failed for expires_after[seconds] out of range',
    send: () => uploadForm(app, org.auth, [['file', octet(small)], ['purpose', 'batch'], ['expires_after[anchor]', 'created_at'], ['expires_after[seconds]', '60']]),
    status: 400,
    code: 'validation_failed',
    message: /3600/,
  },
  {
    name: '400 for a multipart body without the closing boundary',
    send: () => app.request('/v1/files', { method: 'POST', headers: { ...org.auth, 'content-type': 'multipart/form-data; boundary=XX' }, body: '--XX\r\nContent-Disposition: form-data; name="file"; filename="a.jsonl"\r\n\r\n{}\n' }),
    status: 400,
    code: 'invalid_request',
    message: /closing boundary/,
  },
  { name: '401 unauthorized without a key', send: () => app.request('/v1/files', { method: 'POST', headers: { 'content-type': 'application/jsonl' }, body: small }), status: 401, code: 'unauthorized' },
]

describe('POST /v1/files — refusals leave no row, no file, no temp file', () => {
  for (const r of refusals) {
    it(`answers ${r.name}`, async () => {
      const before = traceOf(app)
      const { status, body } = await json(r.send())
      expect(status).toBe(r.status)
      expect(body.error.code).toBe(r.code)
      if (r.message) expect(body.error.message).toMatch(r.message)
      if (r.line !== undefined) expect(body.error.details).toMatchObject({ line: r.line })
      await expectNoTrace(app, before)
    })
  }
})

function streamOf(text: string): ReadableStream<Uint8Array> {
  return new ReadableStream({
    start(controller) {
      controller.enqueue(new TextEncoder().encode(text))
      controller.close()
    },
  })
}

async function* inPieces(bytes: Uint8Array, size: number): AsyncGenerator<Uint8Array> {
  for (let i = 0; i < bytes.length; i += size) yield bytes.slice(i, i + size)
}
