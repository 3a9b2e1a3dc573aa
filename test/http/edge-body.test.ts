/**
 * The HTTP edge refuses before it reads: every guarded route authenticates from the headers while
 * the body is still streaming (a body that never ends still gets its 401/403), a JSON body is cut
 * off with 413 as soon as it passes the cap (chunked or announced), a non-JSON type answers 415,
 * and media types are case-insensitive. Every answer is the JSON envelope with nosniff.
 */
import { afterAll, beforeAll, describe, expect, it } from 'bun:test'
import { connect } from 'node:net'
import { json, startTestApp, type TestApp } from '../helpers/test-app'
import { sendRaw } from '../helpers/raw-http'
import { chatItem } from '../helpers/batch-helpers'

const JSON_CAP = 64 * 1024
let app: TestApp
let org: ReturnType<TestApp['newOrg']>
let admin: string

beforeAll(async () => {
  app = await startTestApp({ scheduler: false, config: { demo: true, limits: { jsonBodyBytes: JSON_CAP } } })
  org = app.newOrg('5')
  admin = app.adminKey()
})
afterAll(() => app.close())

/** Guarded routes that take a body, with a concrete path (ids filled in; they need not exist). */
function guardedBodyRoutes(kind: 'customer' | 'admin') {
  return app.routes.filter((r) => r.auth === kind && r.body !== 'none').map((r) => ({ ...r, path: r.template.replace(/:[^/]+/g, 'x_1').replace('*', 'x') }))
}

function expectEnvelope(res: { status: number; headers: Record<string, string>; body: string }, status: number, code: string) {
  expect(res.status).toBe(status)
  expect(res.headers['content-type']).toContain('application/json')
  expect(res.headers['x-content-type-options']).toBe('nosniff')
  expect(res.headers['x-request-id']).toMatch(/^req_/)
  const body = JSON.parse(res.body)
  expect(body.error.code).toBe(code)
  expect(body.error.request_id).toBe(res.headers['x-request-id'])
  return body
}

describe('authentication before the body', () => {
  it('covers every guarded route that takes a body (the table is not empty)', () => {
    expect(guardedBodyRoutes('customer').map((r) => `${r.method} ${r.template}`)).toEqual(expect.arrayContaining(['POST /v1/batches', 'POST /v1/files', 'POST /v1/quotes/model', 'PUT /v1/auth/account/delivery-webhook']))
    expect(guardedBodyRoutes('admin').length).toBeGreaterThan(0)
  })

  it('answers 401 on every guarded route while an unauthenticated body is still arriving (it never ends)', async () => {
    for (const route of [...guardedBodyRoutes('customer'), ...guardedBodyRoutes('admin')]) {
      const res = await sendRaw(app.url, route.method, route.path, { 'content-type': 'application/json' }, { totalBytes: 64 * 1024, leaveOpen: true })
      expectEnvelope(res, 401, 'unauthorized')
    }
  })

  it('answers 403 to the wrong kind of key before reading the body', async () => {
    for (const route of guardedBodyRoutes('admin')) {
      expectEnvelope(await sendRaw(app.url, route.method, route.path, { authorization: `Bearer ${org.key}`, 'content-type': 'application/json' }, { totalBytes: 64 * 1024, leaveOpen: true }), 403, 'forbidden')
    }
    for (const route of guardedBodyRoutes('customer')) {
      expectEnvelope(await sendRaw(app.url, route.method, route.path, { authorization: `Bearer ${admin}`, 'content-type': 'application/json' }, { totalBytes: 64 * 1024, leaveOpen: true }), 403, 'forbidden')
    }
  })

  it('answers 401 to an unauthenticated upload announcing 10 GB before a byte is sent', async () => {
    const res = await sendRaw(app.url, 'POST', '/v1/files', { 'content-type': 'application/jsonl' }, { totalBytes: 0, contentLength: 10 * 1024 ** 3, leaveOpen: true })
    expectEnvelope(res, 401, 'unauthorized')
  })
})

describe('JSON body caps', () => {
  const auth = () => ({ authorization: `Bearer ${org.key}` })

  it('answers 413 payload_too_large once a chunked JSON body passes the cap, without waiting for the rest', async () => {
    for (const type of ['application/json', 'application/json; charset=utf-8', 'APPLICATION/JSON']) {
      const res = await sendRaw(app.url, 'POST', '/v1/batches', { ...auth(), 'content-type': type, 'idempotency-key': 'edge-cap-0001' }, { totalBytes: JSON_CAP + 1, leaveOpen: true }, JSON_CAP)
      const body = expectEnvelope(res, 413, 'payload_too_large')
      expect(body.error.message).toContain(String(JSON_CAP))
      expect(body.error.message).toContain('/v1/files')
    }
  })

  it('answers 413 before reading when Content-Length announces more than the cap', async () => {
    const res = await sendRaw(app.url, 'POST', '/v1/quotes/model', { ...auth(), 'content-type': 'application/json' }, { totalBytes: 0, contentLength: JSON_CAP + 1, leaveOpen: true })
    expectEnvelope(res, 413, 'payload_too_large')
  })

  it('answers 415 to a non-JSON content type on a JSON route before reading the body', async () => {
    for (const type of ['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'image/png']) {
      const res = await sendRaw(app.url, 'POST', '/v1/quotes/model', { ...auth(), 'content-type': type }, { totalBytes: 1024, leaveOpen: true })
      const body = expectEnvelope(res, 415, 'unsupported_media_type')
      expect(body.error.message).toContain('application/json')
    }
  })

  it('accepts media types in any case (APPLICATION/JSON, Application/Json; Charset=UTF-8)', async () => {
    for (const type of ['APPLICATION/JSON', 'Application/Json; Charset=UTF-8', 'application/vnd.api+json']) {
      const res = await json(app.request('/v1/quotes/model', { method: 'POST', headers: { ...auth(), 'content-type': type }, body: JSON.stringify({ items: [chatItem('a')] }) }))
      expect(res.status).toBe(200)
      expect(res.body.item_count).toBe(1)
    }
  })

  it('answers 400 to a body that is not UTF-8, and to malformed JSON', async () => {
    const bad = await json(app.request('/v1/quotes/model', { method: 'POST', headers: { ...auth(), 'content-type': 'application/json' }, body: new Uint8Array([0x7b, 0xff, 0xfe, 0x7d]) }))
    expect(bad.status).toBe(400)
    expect(bad.body.error.message).toContain('UTF-8')
    const malformed = await json(app.request('/v1/quotes/model', { method: 'POST', headers: { ...auth(), 'content-type': 'application/json' }, body: '{"items": [' }))
    expect(malformed.status).toBe(400)
    expect(malformed.body.error.code).toBe('invalid_request')
  })

  it('sets nosniff and a request id on success, on 404 and on Elysia-level errors alike', async () => {
    for (const [path, status] of [['/v1/auth/account', 200], ['/v1/nope', 404], ['/healthz', 200]] as const) {
      const res = await app.request(path, { headers: auth() })
      expect(res.status).toBe(status)
      expect(res.headers.get('x-content-type-options')).toBe('nosniff')
      expect(res.headers.get('x-request-id')).toMatch(/^req_/)
    }
  })
})

describe("Bun's own answers (README → Limits)", () => {
  it('never answers 413 itself: a 300 MB announced body on any route gets the envelope', async () => {
    for (const [method, path] of [['POST', '/v1/batches'], ['POST', '/v1/files'], ['POST', '/v1/auth/agent-register']]) {
      const res = await sendRaw(app.url, method!, path!, { authorization: `Bearer ${org.key}`, 'content-type': 'application/json' }, { totalBytes: 0, contentLength: 300 * 1024 * 1024, leaveOpen: true })
      expectEnvelope(res, 413, 'payload_too_large')
    }
  })

  it('answers a malformed request line 400 and an oversized header block 431 with no body (the documented exceptions)', async () => {
    const raw = (text: string) =>
      new Promise<string>((resolve) => {
        const socket = connect(app.port, '127.0.0.1')
        let out = ''
        socket.on('data', (d: Buffer) => (out += d))
        socket.on('close', () => resolve(out))
        socket.on('error', () => resolve(out))
        socket.write(text)
      })
    expect(await raw('GARBAGE\r\n\r\n')).toStartWith('HTTP/1.1 400')
    expect(await raw(`GET /healthz HTTP/1.1\r\nHost: a\r\nX-Big: ${'a'.repeat(70_000)}\r\n\r\n`)).toStartWith('HTTP/1.1 431')
  })
})

describe('metrics of refusals at the edge', () => {
  it('counts a 401 refused before the app under the same route label as the app counts that route', async () => {
    await app.request('/v1/batches', { headers: { authorization: `Bearer ${org.key}` } })
    await app.request('/v1/batches', { headers: { authorization: 'Bearer nope' } })
    const text = await (await app.request('/metrics')).text()
    const labels = [...text.matchAll(/^batchrouter_http_requests_total\{method="GET",route="([^"]+)",status="(\d+)"\}/gm)].filter((m) => m[1]!.startsWith('/v1/batches') && !m[1]!.includes(':'))
    expect(labels.map((m) => m[2]).sort()).toEqual(['200', '401'])
    expect(new Set(labels.map((m) => m[1])).size).toBe(1)
  })
})
