/**
 * Raw uploads whose body does not match Content-Length. Over HTTP/1.1, Bun reads exactly
 * Content-Length bytes: a short body is only noticed when the client gives up (the connection
 * closes, so no answer can reach it), and bytes past it are parsed as the next request. The
 * service itself refuses both with 400, which the first two tests check directly.
 */
import { afterAll, beforeAll, describe, expect, it } from 'bun:test'
import { connect } from 'node:net'
import { receiveRawUpload } from '../../../src/features/files/upload-raw'
import { AppError } from '../../../src/lib/errors'
import { startTestApp, type TestApp } from '../../helpers/test-app'
import { expectNoTrace, traceOf } from './helpers'

let app: TestApp
let org: ReturnType<TestApp['newOrg']>

beforeAll(async () => {
  app = await startTestApp()
  org = app.newOrg()
})
afterAll(() => app.close())

function rawRequest(declared: number, body: string): Request {
  const bytes = new TextEncoder().encode(body)
  const stream = new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(bytes)
      controller.close()
    },
  })
  return new Request('http://local/v1/files', { method: 'POST', headers: { 'content-type': 'application/jsonl', 'content-length': String(declared) }, body: stream, duplex: 'half' } as RequestInit)
}

/** Writes `head + body` on a raw socket, optionally half-closes, and returns what came back. */
function sendRaw(head: string, body: string, opts: { endAfterWrite: boolean }): Promise<string> {
  return new Promise((resolve) => {
    let received = ''
    const socket = connect(app.port, '127.0.0.1', () => {
      socket.write(head + body)
      if (opts.endAfterWrite) socket.end()
    })
    socket.on('data', (d) => (received += d.toString()))
    socket.on('close', () => resolve(received))
    socket.on('error', () => resolve(received))
    socket.setTimeout(5000, () => socket.destroy())
  })
}

function head(length: number): string {
  return `POST /v1/files HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${org.key}\r\nContent-Type: application/jsonl\r\nContent-Length: ${length}\r\n\r\n`
}

describe('POST /v1/files — raw body length mismatches', () => {
  it('refuses a body shorter than Content-Length with 400 invalid_request (service level)', async () => {
    const before = traceOf(app)
    const err = await receiveRawUpload(app.deps, org.orgId, rawRequest(100, '{"a":1}\n')).catch((e) => e)
    expect(err).toBeInstanceOf(AppError)
    expect(err).toMatchObject({ code: 'invalid_request', message: expect.stringContaining('shorter than its Content-Length of 100') })
    await expectNoTrace(app, before)
  })

  it('refuses a body longer than Content-Length with 400 invalid_request (service level)', async () => {
    const before = traceOf(app)
    const err = await receiveRawUpload(app.deps, org.orgId, rawRequest(4, '{"a":1}\n')).catch((e) => e)
    expect(err).toMatchObject({ code: 'invalid_request', message: expect.stringContaining('longer than its Content-Length of 4') })
    await expectNoTrace(app, before)
  })

  it('leaves nothing behind when the client sends less than Content-Length and hangs up', async () => {
    const before = traceOf(app)
    const reply = await sendRaw(head(1000), '{"a":1}\n{"b":2}\n', { endAfterWrite: true })
    expect(reply).not.toContain('200 OK')
    await expectNoTrace(app, before, 250)
  })

  it.each([
    ['mid-line (the cut line is bad JSON)', 12],
    ['at a line boundary', 16],
  ])('refuses a body longer than Content-Length, cut %s: Bun answers 400 and nothing is stored', async (_, declared) => {
    const before = traceOf(app)
    const reply = await sendRaw(head(declared), '{"a":1}\n{"b":2}\n{"c":3}\n', { endAfterWrite: false })
    // The bytes past Content-Length are parsed as a second, malformed request: Bun answers it
    // with a bare 400 and closes the connection, which aborts the upload before it is stored.
    expect(reply.split('\r\n')[0]).toBe('HTTP/1.1 400 Bad Request')
    await expectNoTrace(app, before, 250)
  })
})
