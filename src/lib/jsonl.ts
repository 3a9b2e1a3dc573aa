/**
 * Streaming JSONL line splitter with exact **byte** offsets. Splits on '\n' across chunk
 * boundaries without holding the file: memory is one chunk plus the carried-over tail of the
 * current line (and never more than `maxLineBytes` of it).
 */

/** One line of the stream. `offset`/`length` are bytes; `length` excludes the '\n'. */
export type JsonlLine =
  | { line: number; offset: number; length: number; text: string; error?: undefined }
  /** The line could not be decoded: over `maxLineBytes` (its bytes were skipped) or not UTF-8. */
  | { line: number; offset: number; length: number; text: null; error: 'too_long' | 'invalid_utf8' }

export interface JsonlOptions {
  /** Longer lines are reported as `too_long` without being buffered. Default: unlimited. */
  maxLineBytes?: number
}

const NEWLINE = 10

/**
 * Yields every line of `stream` in order, 1-based, including empty ones — except the empty
 * segment after a final '\n'. A last line without '\n' is yielded.
 */
export async function* jsonlLines(stream: ReadableStream<Uint8Array>, opts: JsonlOptions = {}): AsyncGenerator<JsonlLine> {
  const maxLineBytes = opts.maxLineBytes ?? Number.POSITIVE_INFINITY
  const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true })
  let carry: Uint8Array[] = [] // parts of the current line seen in earlier chunks
  let carryBytes = 0
  let tooLong = false // the current line already passed maxLineBytes: its bytes are dropped
  let lineStart = 0 // byte offset of the current line
  let consumed = 0 // bytes of the stream before the current chunk
  let lineNo = 0

  const finish = (tail: Uint8Array, end: number): JsonlLine => {
    lineNo += 1
    const length = end - lineStart
    const start = lineStart
    lineStart = end + 1
    if (tooLong || length > maxLineBytes) {
      carry = []
      carryBytes = 0
      tooLong = false
      return { line: lineNo, offset: start, length, text: null, error: 'too_long' }
    }
    const bytes = carryBytes === 0 ? tail : concat(carry, carryBytes, tail)
    carry = []
    carryBytes = 0
    try {
      return { line: lineNo, offset: start, length, text: decoder.decode(bytes) }
    } catch {
      return { line: lineNo, offset: start, length, text: null, error: 'invalid_utf8' }
    }
  }

  const reader = stream.getReader()
  let ended = false
  try {
    for (;;) {
      const { done, value: chunk } = await reader.read()
      if (done) {
        ended = true
        break
      }
      let pos = 0
      for (;;) {
        const nl = chunk.indexOf(NEWLINE, pos)
        if (nl === -1) break
        yield finish(chunk.subarray(pos, nl), consumed + nl)
        pos = nl + 1
      }
      if (pos < chunk.length && !tooLong) {
        const rest = chunk.subarray(pos)
        if (carryBytes + rest.length > maxLineBytes) {
          tooLong = true
          carry = []
          carryBytes = 0
        } else {
          // Copy: the chunk is kept alive otherwise, and callers may hand us reused buffers.
          carry.push(rest.slice())
          carryBytes += rest.length
        }
      }
      consumed += chunk.length
    }
    if (consumed > lineStart) yield finish(new Uint8Array(0), consumed)
  } finally {
    // A consumer that stops early (break, throw) must not leave the file stream open.
    if (!ended) await reader.cancel().catch(() => undefined)
    reader.releaseLock()
  }
}

function concat(parts: Uint8Array[], partBytes: number, tail: Uint8Array): Uint8Array {
  const out = new Uint8Array(partBytes + tail.length)
  let at = 0
  for (const p of parts) {
    out.set(p, at)
    at += p.length
  }
  out.set(tail, at)
  return out
}

/** Drops a UTF-8 byte-order mark at the start of a file's first line (its bytes stay in the range). */
export function stripBom(text: string): string {
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text
}
