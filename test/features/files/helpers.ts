/** Shared helpers for the files tests: upload shortcuts and "nothing was left behind" checks. */
import { expect } from 'bun:test'
import { createHash } from 'node:crypto'
import { readdirSync } from 'node:fs'
import { count } from 'drizzle-orm'
import { filesTable } from '../../../src/features/files/table'
import type { TestApp } from '../../helpers/test-app'

export interface Trace {
  rows: number
  files: number
}

/** Rows in filesTable and entries in files/ right now. */
export function traceOf(app: TestApp): Trace {
  const rows = app.deps.db.select({ n: count() }).from(filesTable).get()!.n
  return { rows, files: readdirSync(app.deps.paths.files).length }
}

/** Entries in tmp/. */
export function tmpEntries(app: TestApp): string[] {
  return readdirSync(app.deps.paths.tmp)
}

/**
 * Asserts that a refused upload left no row, no file and no temp file. With `quietMs`, for a
 * connection the server dropped (its handler may still be running, unobservable from outside),
 * waits until that state has held for `quietMs` (at most 5 s) before asserting.
 */
export async function expectNoTrace(app: TestApp, before: Trace, quietMs = 0): Promise<void> {
  const settled = () => tmpEntries(app).length === 0 && Bun.deepEquals(traceOf(app), before)
  const deadline = Date.now() + 5000
  let quietSince = Date.now()
  while (quietMs > 0 && Date.now() < deadline) {
    if (!settled()) quietSince = Date.now()
    else if (Date.now() - quietSince >= quietMs) break
    await Bun.sleep(10)
  }
  expect(traceOf(app)).toEqual(before)
  expect(tmpEntries(app)).toEqual([])
}

export function sha256Hex(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex')
}

/** JSONL text of `n` small request lines, newline-terminated. */
export function jsonlLines(n: number): string {
  let out = ''
  for (let i = 1; i <= n; i++) out += JSON.stringify({ custom_id: `r${i}`, method: 'POST', url: '/v1/chat/completions', body: { model: 'gpt-4o-mini', messages: [{ role: 'user', content: `hello ${i}` }] } }) + '\n'
  return out
}

/** POST /v1/files with a raw body. */
export function uploadRaw(app: TestApp, auth: Record<string, string>, body: string | Uint8Array, headers: Record<string, string> = {}): Promise<Response> {
  return app.request('/v1/files', { method: 'POST', headers: { 'content-type': 'application/jsonl', ...auth, ...headers }, body })
}

/** POST /v1/files as multipart built from ordered [name, value] entries (a Blob value is a file part). */
export function uploadForm(app: TestApp, auth: Record<string, string>, entries: Array<[string, string | { blob: Blob; filename: string }]>): Promise<Response> {
  const form = new FormData()
  for (const [name, value] of entries) {
    if (typeof value === 'string') form.append(name, value)
    else form.append(name, value.blob, value.filename)
  }
  return app.request('/v1/files', { method: 'POST', headers: auth, body: form })
}

export type StreamPart = { name: string; value: string } | { name: string; filename: string; contentType: string; chunks: () => AsyncIterable<Uint8Array> }

/**
 * A chunked multipart body built the way the openai SDK streams one (boundary `openai-…`, no
 * Content-Length): text parts and file parts whose bytes come from an async iterable.
 */
export function multipartStream(parts: StreamPart[], boundary = `openai-${Math.random().toString(36).slice(2)}`): { body: ReadableStream<Uint8Array>; contentType: string } {
  const encoder = new TextEncoder()
  async function* generate(): AsyncGenerator<Uint8Array> {
    for (const part of parts) {
      if ('value' in part) {
        yield encoder.encode(`--${boundary}\r\nContent-Disposition: form-data; name="${part.name}"\r\n\r\n${part.value}\r\n`)
      } else {
        yield encoder.encode(`--${boundary}\r\nContent-Disposition: form-data; name="${part.name}"; filename="${part.filename}"\r\nContent-Type: ${part.contentType}\r\n\r\n`)
        yield* part.chunks()
        yield encoder.encode('\r\n')
      }
    }
    yield encoder.encode(`--${boundary}--\r\n`)
  }
  const iterator = generate()
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      const next = await iterator.next()
      if (next.done) controller.close()
      else controller.enqueue(next.value)
    },
    async cancel() {
      await iterator.return(undefined)
    },
  })
  return { body, contentType: `multipart/form-data; boundary=${boundary}` }
}
