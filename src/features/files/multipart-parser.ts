/**
 * A streaming multipart/form-data parser (RFC 7578 over RFC 2046) for Web ReadableStreams. It
 * yields each part's headers, then its bytes as they arrive, then its end; a delimiter split
 * across chunk edges is found because the last `delimiter.length - 1` bytes are held back.
 * File bytes are yielded as views of the incoming chunks (copied only around a part boundary),
 * so memory is one chunk plus one header block. Malformed input throws 400 invalid_request.
 */
import { AppError } from '../../lib/errors'

/** What the parser yields: a part's headers, some of its bytes, or its end. */
export type MultipartEvent =
  | { kind: 'part'; name: string; filename: string | null; contentType: string | null }
  | { kind: 'data'; chunk: Uint8Array }
  | { kind: 'part-end' }

const MAX_HEADER_BYTES = 16 * 1024
const MAX_PARTS = 64
const CRLF = Buffer.from('\r\n')
const HEADER_END = Buffer.from('\r\n\r\n')
const CLOSE = Buffer.from('--')

type State = 'preamble' | 'after-delimiter' | 'headers' | 'body' | 'done'

/** The boundary parameter of a multipart/form-data Content-Type; throws 400 when absent. */
export function boundaryOf(contentType: string): string {
  const match = /;\s*boundary=(?:"([^"]{1,70})"|([^;\s]{1,70}))/i.exec(contentType)
  const boundary = match?.[1] ?? match?.[2]
  if (!boundary) throw malformed('Content-Type multipart/form-data has no boundary parameter')
  return boundary
}

/** Parses `body` part by part; throws 400 invalid_request when it is not well-formed multipart. */
export async function* parseMultipart(body: AsyncIterable<Uint8Array>, boundary: string): AsyncGenerator<MultipartEvent> {
  const delimiter = Buffer.from(`\r\n--${boundary}`)
  // A virtual CRLF in front lets the first delimiter (at the very start of the body) match too.
  let buf: Buffer = Buffer.from(CRLF)
  let state: State = 'preamble'
  let parts = 0
  for await (const chunk of body) {
    if (state === 'done') continue
    const incoming = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength)
    if (buf.length === 0) {
      buf = incoming
    } else if (state === 'body' && !startsDelimiter(buf, incoming, delimiter)) {
      // The held-back tail is plain data: pass it on and scan the new chunk in place (no copy).
      yield { kind: 'data', chunk: buf }
      buf = incoming
    } else {
      buf = Buffer.concat([buf, incoming])
    }
    for (;;) {
      if (state === 'preamble') {
        const at = buf.indexOf(delimiter)
        if (at < 0) {
          buf = buf.subarray(Math.max(0, buf.length - delimiter.length + 1))
          break
        }
        buf = buf.subarray(at + delimiter.length)
        state = 'after-delimiter'
      } else if (state === 'after-delimiter') {
        if (buf.length < 2) break
        if (buf.subarray(0, 2).equals(CLOSE)) {
          state = 'done'
          break
        }
        const eol = buf.indexOf(CRLF)
        if (eol < 0) {
          if (buf.length > 256) throw malformed('a boundary line is not followed by CRLF')
          break
        }
        if (buf.subarray(0, eol).toString('latin1').trim() !== '') throw malformed('a boundary line is not followed by CRLF')
        buf = buf.subarray(eol + 2)
        state = 'headers'
      } else if (state === 'headers') {
        const end = buf.subarray(0, 2).equals(CRLF) ? 0 : buf.indexOf(HEADER_END)
        if (end < 0) {
          if (buf.length > MAX_HEADER_BYTES) throw malformed(`a part's headers exceed ${MAX_HEADER_BYTES} bytes`)
          break
        }
        if (++parts > MAX_PARTS) throw malformed(`more than ${MAX_PARTS} parts`)
        yield parsePartHeaders(buf.subarray(0, end).toString('utf8'))
        buf = buf.subarray(end === 0 ? 2 : end + 4)
        state = 'body'
      } else if (state === 'body') {
        const at = buf.indexOf(delimiter)
        if (at >= 0) {
          if (at > 0) yield { kind: 'data', chunk: buf.subarray(0, at) }
          yield { kind: 'part-end' }
          buf = buf.subarray(at + delimiter.length)
          state = 'after-delimiter'
          continue
        }
        const safe = buf.length - delimiter.length + 1
        if (safe > 0) {
          yield { kind: 'data', chunk: buf.subarray(0, safe) }
          buf = buf.subarray(safe)
        }
        break
      } else {
        break
      }
    }
  }
  if (state !== 'done') throw malformed('the body ended before the closing boundary')
}

/**
 * True when a delimiter may begin in `tail` (the held-back end of the previous chunk): it does,
 * or `next` is too short to rule it out.
 */
function startsDelimiter(tail: Buffer, next: Buffer, delimiter: Buffer): boolean {
  if (next.length < delimiter.length - 1) return true
  const window = Buffer.concat([tail, next.subarray(0, delimiter.length - 1)])
  const at = window.indexOf(delimiter)
  return at >= 0 && at < tail.length
}

function parsePartHeaders(block: string): MultipartEvent & { kind: 'part' } {
  const headers = new Map<string, string>()
  for (const line of block.split('\r\n')) {
    const colon = line.indexOf(':')
    if (colon > 0) headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim())
  }
  const disposition = headers.get('content-disposition') ?? ''
  if (!/^form-data\s*(;|$)/i.test(disposition)) throw malformed('a part has no Content-Disposition: form-data header')
  const params = dispositionParams(disposition)
  const name = params.get('name')
  if (name === undefined) throw malformed('a part has no name')
  const filename = params.get('filename*') ?? params.get('filename') ?? null
  return { kind: 'part', name, filename, contentType: headers.get('content-type') ?? null }
}

/** `form-data; name="file"; filename="a.jsonl"` → Map; decodes RFC 5987 `filename*`. */
function dispositionParams(value: string): Map<string, string> {
  const params = new Map<string, string>()
  const re = /;\s*([^\s=;]+)\s*=\s*("(?:[^"\\]|\\.)*"|[^;]*)/g
  for (let m = re.exec(value); m; m = re.exec(value)) {
    const key = m[1]!.toLowerCase()
    let raw = m[2]!.trim()
    if (raw.startsWith('"')) raw = raw.slice(1, -1).replace(/\\(.)/g, '$1')
    if (key.endsWith('*')) {
      const ext = /^([^']*)'[^']*'(.*)$/.exec(raw)
      if (!ext) continue
      try {
        raw = decodeURIComponent(ext[2]!)
      } catch {
        continue
      }
    }
    params.set(key, raw)
  }
  return params
}

function malformed(what: string): AppError {
  return new AppError('invalid_request', { message: `The multipart/form-data body is malformed: ${what}. Send fields 'file' and 'purpose' as standard form data.` })
}
