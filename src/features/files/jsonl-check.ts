/**
 * Incremental check of a JSONL batch input, fed chunk by chunk during the upload's streaming pass
 * (split by the one JSONL splitter, lib/jsonl):
 * valid UTF-8, every line one JSON object, no blank lines inside the file (one trailing newline is
 * fine), each line ≤ lineBytes, at most maxLines lines. Work is bounded per chunk, so the event loop
 * gets a turn between chunks; memory is bounded by one partial line.
 */
import { AppError } from '../../lib/errors'
import { DEFAULT_JSON_DEPTH, valueProblem } from '../../lib/json-limits'
import { JsonlSplitter, stripBom, type JsonlLine } from '../../lib/jsonl'

/** The per-file limits the checker enforces (from config.limits). */
export interface JsonlLimits {
  maxLines: number
  lineBytes: number
  /** Deepest nesting of arrays and objects a line may have (default DEFAULT_JSON_DEPTH). */
  maxDepth?: number
}

const MAX_PARSE_MESSAGE = 160

/** Collects the first problem (never throws); `error` is the AppError to answer with, if any. */
export class JsonlChecker {
  /** Lines checked so far (all non-blank; a blank one is an error). */
  lineCount = 0
  /** The first problem found; once set, later input is ignored. */
  error: AppError | null = null
  private readonly splitter: JsonlSplitter

  constructor(private readonly limits: JsonlLimits) {
    this.splitter = new JsonlSplitter({ maxLineBytes: limits.lineBytes })
  }

  /** Checks every line completed by `chunk`; an over-long line fails as soon as it passes the limit. */
  push(chunk: Uint8Array): void {
    if (this.error) return
    for (const line of this.splitter.push(chunk)) {
      this.checkLine(line)
      if (this.error) return
    }
    if (this.splitter.inOverlongLine) this.fail(this.tooLong(this.lineCount + 1))
  }

  /** Checks the final line (one without a newline) and that the file had any lines at all. */
  end(): void {
    if (this.error) return
    const last = this.splitter.end()
    if (last) this.checkLine(last)
    if (!this.error && this.lineCount === 0) {
      this.fail(new AppError('invalid_request', { message: 'The file has no lines: a batch input holds one JSON object per line.', param: 'file' }))
    }
  }

  private checkLine(l: JsonlLine): void {
    const line = l.line
    if (l.error === 'too_long') return this.fail(this.tooLong(line))
    if (line > this.limits.maxLines) {
      return this.fail(new AppError('payload_too_large', { message: `The file has more than ${this.limits.maxLines} lines, the most one batch input may hold; split it into several files.`, param: 'file', details: { line, limit: this.limits.maxLines } }))
    }
    if (l.text === null) return this.fail(lineError(line, `Line ${line} is not valid UTF-8: save the file as UTF-8.`))
    const text = line === 1 ? stripBom(l.text) : l.text
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

  private tooLong(line: number): AppError {
    return lineError(line, `Line ${line} is longer than ${this.limits.lineBytes} bytes, the longest line a batch input may hold.`)
  }

  private fail(error: AppError): void {
    this.error = error
  }
}

function lineError(line: number, message: string): AppError {
  return new AppError('invalid_request', { message, param: 'file', details: { line } })
}
