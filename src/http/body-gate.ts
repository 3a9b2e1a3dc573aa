/**
 * The body half of the edge: runs after authentication, before the app sees the request. A JSON
 * route's body is read under its byte cap while it streams in (chunked included: 413 the moment
 * the cap is passed, the rest never read), must be UTF-8 JSON within the nesting limit with finite
 * numbers, and is handed on as `application/json` whatever case the client wrote the type in.
 * Other content types on a JSON route answer 415 before a byte is read.
 */
import { AppError } from '../lib/errors'
import { nonFiniteProblem, depthProblem } from '../lib/json-limits'
import type { RouteBody } from './route-policy'

/** The caps the gate applies (from config.limits). */
export interface BodyLimits {
  jsonBytes: number
  jsonDepth: number
  /** Cap on the demo simulator's passthrough bodies. */
  passthroughBytes: number
}

/** The request the app should see: the original, or a copy carrying the checked body. Throws 400/413/415 AppErrors. */
export async function gateBody(request: Request, kind: RouteBody | undefined, limits: BodyLimits): Promise<Request> {
  if (!hasBody(request.headers)) return request
  if (kind === 'json') return gateJsonBody(request, limits)
  if (kind === 'passthrough') return withCappedStream(request, limits.passthroughBytes)
  // `upload` routes stream and cap their own bodies; `none` routes and unknown paths never read one.
  return request
}

/** True when the request announces a body (a non-zero Content-Length or a Transfer-Encoding). */
export function hasBody(headers: Headers): boolean {
  if (headers.has('transfer-encoding')) return true
  const length = headers.get('content-length')
  return length !== null && length.trim() !== '0'
}

/** application/json, application/*+json, any case; an absent type is taken as JSON. */
function isJsonType(contentType: string | null): boolean {
  const essence = (contentType ?? '').split(';')[0]!.trim().toLowerCase()
  return essence === '' || essence === 'application/json' || /^application\/[a-z0-9.+-]+\+json$/.test(essence)
}

async function gateJsonBody(request: Request, limits: BodyLimits): Promise<Request> {
  const contentType = request.headers.get('content-type')
  if (!isJsonType(contentType)) {
    throw new AppError('unsupported_media_type', { message: `This route takes a JSON body; send it with Content-Type: application/json (got '${(contentType ?? '').slice(0, 100)}').`, param: 'content-type' })
  }
  const declared = Number(request.headers.get('content-length') ?? 0)
  if (declared > limits.jsonBytes) throw jsonTooLarge(limits.jsonBytes)
  const bytes = await readCapped(request.body, limits.jsonBytes)
  const text = decodeUtf8(bytes)
  if (text.trim() !== '') checkJsonText(text, limits.jsonDepth)
  const headers = new Headers(request.headers)
  headers.set('content-type', 'application/json')
  headers.delete('content-length')
  headers.delete('transfer-encoding')
  return new Request(request.url, { method: request.method, headers, body: text, signal: request.signal })
}

function checkJsonText(text: string, maxDepth: number): void {
  if (depthProblem(text, maxDepth)) {
    throw new AppError('invalid_request', { message: `The request body nests arrays and objects more than ${maxDepth} levels deep; flatten it.`, details: { max_depth: maxDepth } })
  }
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch {
    throw new AppError('invalid_request', { message: 'The request body could not be parsed: send valid JSON with Content-Type: application/json.' })
  }
  const huge = nonFiniteProblem(value)
  if (huge) throw new AppError('validation_failed', { message: huge.message, param: huge.param || null })
}

function jsonTooLarge(limit: number): AppError {
  return new AppError('payload_too_large', { message: `JSON request bodies are limited to ${limit} bytes; upload large inputs with POST /v1/files and pass input_file_id.`, details: { limit } })
}

/** Reads a body whole, refusing with 413 as soon as more than `limit` bytes have arrived. */
async function readCapped(body: ReadableStream<Uint8Array> | null, limit: number): Promise<Uint8Array> {
  if (!body) return new Uint8Array(0)
  const reader = body.getReader()
  const chunks: Uint8Array[] = []
  let total = 0
  try {
    for (;;) {
      const { done, value } = await reader.read().catch(() => {
        throw new AppError('invalid_request', { message: 'The request body was interrupted before it all arrived; send it again.' })
      })
      if (done) break
      total += value.byteLength
      if (total > limit) throw jsonTooLarge(limit)
      chunks.push(value)
    }
  } finally {
    reader.cancel().catch(() => undefined)
  }
  return chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, total)
}

function decodeUtf8(bytes: Uint8Array): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes)
  } catch {
    throw new AppError('invalid_request', { message: 'The request body is not valid UTF-8; send JSON text encoded as UTF-8.' })
  }
}

/** A copy of `request` whose body errors with 413 once more than `limit` bytes stream through. */
function withCappedStream(request: Request, limit: number): Request {
  let seen = 0
  const capped = request.body!.pipeThrough(
    new TransformStream<Uint8Array, Uint8Array>({
      transform(chunk, controller) {
        seen += chunk.byteLength
        if (seen > limit) controller.error(new AppError('payload_too_large', { message: `Request bodies here are limited to ${limit} bytes.` }))
        else controller.enqueue(chunk)
      },
    }),
  )
  return new Request(request.url, { method: request.method, headers: request.headers, body: capped, signal: request.signal, duplex: 'half' } as RequestInit)
}
