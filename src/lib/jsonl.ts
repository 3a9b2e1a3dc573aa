/**
 * The JSONL line splitter, with exact **byte** offsets. Splits on '\n' across chunk boundaries
 * without holding the file: memory is one chunk plus the carried-over tail of the current line
 * (and never more than `maxLineBytes` of it). The one splitter of the appliance: ingest, the
 * upload check, and the provider adapters reading result files all use it.
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
 * The one JSONL splitter (push mode): feed it chunks, get back the lines they complete, each with
 * its 1-based number and exact byte range. Memory is the carried-over tail of the current line,
 * never more than `maxLineBytes` of it; a longer line is reported `too_long` without being held.
 * Used by `jsonlLines` (streams: ingest, provider result files) and by the upload-time check.
 */
export class JsonlSplitter {
  private readonly maxLineBytes: number
  private readonly decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true })
  private carry: Uint8Array[] = [] // parts of the current line seen in earlier chunks
  private carryBytes = 0
  private overlong = false // the current line already passed maxLineBytes: its bytes are dropped
  private lineStart = 0 // byte offset of the current line
  private consumed = 0 // bytes before the next chunk
  private lineNo = 0

  constructor(opts: JsonlOptions = {}) {
    this.maxLineBytes = opts.maxLineBytes ?? Number.POSITIVE_INFINITY
  }

  /** True while the line being read is already longer than `maxLineBytes` (known before its end). */
  get inOverlongLine(): boolean {
    return this.overlong
  }

  /** Number of the last line returned. */
  get lines(): number {
    return this.lineNo
  }

  /** The lines `chunk` completes, in order. The chunk may be reused by the caller afterwards. */
  push(chunk: Uint8Array): JsonlLine[] {
    const out: JsonlLine[] = []
    let pos = 0
    for (;;) {
      const nl = chunk.indexOf(NEWLINE, pos)
      if (nl === -1) break
      out.push(this.finish(chunk.subarray(pos, nl), this.consumed + nl))
      pos = nl + 1
    }
    if (pos < chunk.length && !this.overlong) {
      const rest = chunk.subarray(pos)
      if (this.carryBytes + rest.length > this.maxLineBytes) {
        this.overlong = true
        this.carry = []
        this.carryBytes = 0
      } else {
        // Copy: the chunk is kept alive otherwise, and callers may hand us reused buffers.
        this.carry.push(rest.slice())
        this.carryBytes += rest.length
      }
    }
    this.consumed += chunk.length
    return out
  }

  /** The last line when the input did not end with '\n'; null otherwise (an empty input has no line). */
  end(): JsonlLine | null {
    return this.consumed > this.lineStart ? this.finish(new Uint8Array(0), this.consumed) : null
  }

  private finish(tail: Uint8Array, end: number): JsonlLine {
    this.lineNo += 1
    const length = end - this.lineStart
    const start = this.lineStart
    this.lineStart = end + 1
    if (this.overlong || length > this.maxLineBytes) {
      this.carry = []
      this.carryBytes = 0
      this.overlong = false
      return { line: this.lineNo, offset: start, length, text: null, error: 'too_long' }
    }
    const bytes = this.carryBytes === 0 ? tail : concat(this.carry, this.carryBytes, tail)
    this.carry = []
    this.carryBytes = 0
    try {
      return { line: this.lineNo, offset: start, length, text: this.decoder.decode(bytes) }
    } catch {
      return { line: this.lineNo, offset: start, length, text: null, error: 'invalid_utf8' }
    }
  }
}

/**
 * Yields every line of `stream` in order, 1-based, including empty ones — except the empty
 * segment after a final '\n'. A last line without '\n' is yielded.
 */
export async function* jsonlLines(stream: ReadableStream<Uint8Array>, opts: JsonlOptions = {}): AsyncGenerator<JsonlLine> {
  const splitter = new JsonlSplitter(opts)
  const reader = stream.getReader()
  let ended = false
  try {
    for (;;) {
      const { done, value: chunk } = await reader.read()
      if (done) {
        ended = true
        break
      }
      yield* splitter.push(chunk)
    }
    const last = splitter.end()
    if (last) yield last
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
