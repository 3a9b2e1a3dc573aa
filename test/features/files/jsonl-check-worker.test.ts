/**
 * The JSONL check of an upload runs in a Worker (jsonl-check-offthread.ts). These tests pin what
 * moving it off the API thread must not change: a strict upload still stops soon after its first
 * bad line arrives (within the bytes allowed in flight, not at the end of the body), with the same
 * 400 naming the line, and leaves nothing behind; and the worker's verdict and line count match
 * the in-thread JsonlChecker's on the same bytes cut into odd pieces.
 */
import { afterAll, beforeAll, describe, expect, it } from 'bun:test'
import { JsonlChecker } from '../../../src/features/files/jsonl-check'
import { DEFAULT_MAX_IN_FLIGHT_BYTES, JsonlCheckInWorker } from '../../../src/features/files/jsonl-check-offthread'
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

const CHUNK = 64 * 1024
const GOOD_LINE = `${JSON.stringify({ custom_id: 'x', pad: 'y'.repeat(1000) })}\n`

/** A raw upload of `declared` bytes: `first`, then good lines pulled one 64 KiB chunk at a time. */
function pulledUpload(first: string, declared: number): { request: Request; pulled: () => number } {
  const filler = new TextEncoder().encode(GOOD_LINE.repeat(Math.ceil(CHUNK / GOOD_LINE.length)).slice(0, CHUNK))
  let sent = 0
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      const next = sent === 0 ? new TextEncoder().encode(first) : filler.slice(0, Math.min(CHUNK, declared - sent))
      sent += next.length
      controller.enqueue(next)
      if (sent >= declared) controller.close()
    },
  })
  const request = new Request('http://local/v1/files', { method: 'POST', headers: { 'content-type': 'application/jsonl', 'content-length': String(declared) }, body, duplex: 'half' } as RequestInit)
  return { request, pulled: () => sent }
}

describe('JSONL check in a worker', () => {
  it('stops a strict upload soon after its first bad line, not at the end of the body', async () => {
    const before = traceOf(app)
    const declared = 150 * 1024 * 1024
    const { request, pulled } = pulledUpload('{"custom_id": "a"}\n{"custom_id": \n', declared)
    const err = await receiveRawUpload(app.deps, org.orgId, request).catch((e) => e)
    expect(err).toBeInstanceOf(AppError)
    expect(err).toMatchObject({ code: 'invalid_request', param: 'file', details: { line: 2 }, message: expect.stringContaining('Line 2 is not valid JSON') })
    // At most the in-flight bound plus the chunks read while the verdict travels back.
    expect(pulled()).toBeLessThanOrEqual(DEFAULT_MAX_IN_FLIGHT_BYTES + 4 * CHUNK)
    await expectNoTrace(app, before)
  })

  it('gives the same verdict and line count as the in-thread checker, for any cut of the bytes', async () => {
    const limits = { maxLines: 100, lineBytes: 4096, maxDepth: 8 }
    const files = [
      '{"a":1}\n{"b":[1,2,3]}\r\n{"c":"é東京😀"}',
      '{"a":1}\n\n{"b":2}\n',
      '{"a":1}\n[1]\n',
      `{"a":1}\n${'['.repeat(10)}${']'.repeat(10)}\n`,
      `{"a":"${'x'.repeat(5000)}"}\n`,
      '',
    ]
    for (const text of files) {
      const bytes = new TextEncoder().encode(text)
      const local = new JsonlChecker(limits)
      local.push(bytes)
      local.end()
      for (const piece of [1, 3, 7, 4096]) {
        // A tiny in-flight bound: push waits for acks every few bytes.
        const worker = new JsonlCheckInWorker(limits, 5)
        for (let i = 0; i < bytes.length; i += piece) await worker.push(bytes.slice(i, i + piece))
        const verdict = await worker.end().then((lines) => ({ lines }), (e: AppError) => ({ code: e.code, message: e.message, details: e.details }))
        const expected = local.error ? { code: local.error.code, message: local.error.message, details: local.error.details } : { lines: local.lineCount }
        expect(verdict).toEqual(expected)
      }
    }
  })

  it('refuses pushes once closed (the worker is gone)', async () => {
    const worker = new JsonlCheckInWorker({ maxLines: 10, lineBytes: 100 })
    worker.close()
    await expect(worker.push(new TextEncoder().encode('{"a":1}\n'))).rejects.toThrow('closed')
  })
})
