/**
 * Incremental check of a JSONL batch input, fed chunk by chunk during the upload's streaming pass:
 * valid UTF-8, every line one JSON object, no blank lines inside the file (one trailing newline is
 * fine), each line ≤ lineBytes, at most maxLines lines. Work is bounded per chunk, so the event loop
 * gets a turn between chunks; memory is bounded by one partial line.
 */
import { AppError } from '../../lib/errors'
import { DEFAULT_JSON_DEPTH, valueProblem } from '../../lib/json-limits'

/** The per-file limits the checker enforces (from config.limits). */
export interface JsonlLimits {
  maxLines: number
  lineBytes: number
  /** Deepest nesting of arrays and objects a line may have (default DEFAULT_JSON_DEPTH). */
  maxDepth?: number
}

const NEWLINE = 0x0a
const MAX_PARSE_MESSAGE = 160

/** Collects the first problem (never throws); `error` is the AppError to answer with, if any. */
export class JsonlChecker {
  /** Lines checked so far (all non-blank; a blank one is an error). */
  lineCount = 0
  /** The first problem found; once set, later input is ignored. */
  error: AppError | null = null
  private readonly decoder = new TextDecoder('utf-8', { fatal: true })
  private carry: Uint8Array[] = []
  private carryBytes = 0

  constructor(private readonly limits: JsonlLimits) {}

  /** Checks every line completed by `chunk`; keeps the unfinished tail for the next call. */
  push(chunk: Uint8Array): void {
    if (this.error) return
    let start = 0
    for (;;) {
      const newline = chunk.indexOf(NEWLINE, start)
      if (newline < 0) break
      const piece = chunk.subarray(start, newline)
      if (this.carryBytes + piece.length > this.limits.lineBytes) return this.fail(this.tooLong())
      this.checkLine(this.takeLine(piece))
      if (this.error) return
      start = newline + 1
    }
    const rest = chunk.subarray(start)
    if (rest.length === 0) return
    if (this.carryBytes + rest.length > this.limits.lineBytes) return this.fail(this.tooLong())
    this.carry.push(rest)
    this.carryBytes += rest.length
  }

  /** Checks the final line (one without a newline) and that the file had any lines at all. */
  end(): void {
    if (this.error) return
    if (this.carryBytes > 0) this.checkLine(this.takeLine(new Uint8Array(0)))
    if (!this.error && this.lineCount === 0) {
      this.fail(new AppError('invalid_request', { message: 'The file has no lines: a batch input holds one JSON object per line.', param: 'file' }))
    }
  }

  private takeLine(piece: Uint8Array): Uint8Array {
    if (this.carryBytes === 0) return piece
    const line = Buffer.concat([...this.carry, piece])
    this.carry = []
    this.carryBytes = 0
    return line
  }

  private checkLine(bytes: Uint8Array): void {
    const line = this.lineCount + 1
    if (line > this.limits.maxLines) {
      return this.fail(new AppError('payload_too_large', { message: `The file has more than ${this.limits.maxLines} lines, the most one batch input may hold; split it into several files.`, param: 'file', details: { line, limit: this.limits.maxLines } }))
    }
    let text: string
    try {
      text = this.decoder.decode(bytes)
    } catch {
      return this.fail(lineError(line, `Line ${line} is not valid UTF-8: save the file as UTF-8.`))
    }
    if (text.trim() === '') {
      return this.fail(lineError(line, `Line ${line} is blank: a batch input holds one JSON object per line with no empty lines (one trailing newline is fine).`))
    }
    let value: unknown
    try {
      value = JSON.parse(text)
    } catch (err) {
      const reason = String((err as Error).message).slice(0, MAX_PARSE_MESSAGE)
      return this.fail(lineError(line, `Line ${line} is not valid JSON (${reason}): each line must be one complete JSON object.`))
    }
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      return this.fail(lineError(line, `Line ${line} is not a JSON object: each line must be one object such as {"custom_id": …, "method": "POST", "url": …, "body": …}.`))
    }
    const maxDepth = this.limits.maxDepth ?? DEFAULT_JSON_DEPTH
    if (valueProblem(value, maxDepth)?.kind === 'too_deep') {
      return this.fail(lineError(line, `Line ${line} nests arrays and objects more than ${maxDepth} levels deep; flatten it.`))
    }
    this.lineCount = line
  }

  private tooLong(): AppError {
    const line = this.lineCount + 1
    return lineError(line, `Line ${line} is longer than ${this.limits.lineBytes} bytes, the longest line a batch input may hold.`)
  }

  private fail(error: AppError): void {
    this.error = error
    this.carry = []
    this.carryBytes = 0
  }
}

function lineError(line: number, message: string): AppError {
  return new AppError('invalid_request', { message, param: 'file', details: { line } })
}
