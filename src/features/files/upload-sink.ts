/**
 * Where an upload's file bytes go while they stream in: a temp file (SHA-256 on the way), a byte
 * cap, and — for a JSONL batch input — the line checker, all in one pass. In strict mode the first
 * JSONL problem stops the upload at once; otherwise it is kept until the purpose is known.
 */
import type { Deps } from '../../deps'
import { AppError } from '../../lib/errors'
import { JsonlChecker } from './jsonl-check'
import { isBatchInputPurpose } from './models'
import { TempUpload, type FinishedUpload } from './temp-upload'

/** How an UploadSink treats the bytes it receives. */
export interface SinkOptions {
  /** Largest number of file bytes accepted. */
  maxBytes: number
  /** The purpose, when known; it names the limit in the 413 message. */
  purpose: string | null
  /** Run the JSONL checker on the bytes. */
  checkJsonl: boolean
  /** Throw at the first JSONL problem (the purpose is known to be a batch input). */
  strict: boolean
}

/** The byte limit for files of `purpose` (contract §2: batch inputs vs other files). */
export function byteLimitFor(deps: Deps, purpose: string): number {
  return isBatchInputPurpose(purpose) ? deps.config.limits.batchUploadBytes : deps.config.limits.otherUploadBytes
}

/** The largest upload of any purpose: the cap while the purpose is still unknown. */
export function largestByteLimit(deps: Deps): number {
  return Math.max(deps.config.limits.batchUploadBytes, deps.config.limits.otherUploadBytes)
}

/** 413 payload_too_large naming the limit that applies. */
export function payloadTooLarge(limit: number, purpose: string | null): AppError {
  const kind = purpose === null ? 'an upload' : isBatchInputPurpose(purpose) ? 'a batch input file' : `a file with purpose '${purpose}'`
  return new AppError('payload_too_large', {
    message: `The file is larger than ${limit} bytes, the most ${kind} may hold; split it into smaller files.`,
    param: 'file',
    details: { limit_bytes: limit },
  })
}

/** One file part or raw body on its way to disk: cap, JSONL check, temp file. */
export class UploadSink {
  readonly checker: JsonlChecker | null

  private constructor(
    private readonly temp: TempUpload,
    private readonly opts: SinkOptions,
    deps: Deps,
  ) {
    this.checker = opts.checkJsonl ? new JsonlChecker({ maxLines: deps.config.limits.batchLines, lineBytes: deps.config.limits.lineBytes, maxDepth: deps.config.limits.jsonDepth }) : null
  }

  /** Opens a temp file under `deps.paths.tmp`. */
  static async open(deps: Deps, opts: SinkOptions): Promise<UploadSink> {
    return new UploadSink(await TempUpload.create(deps), opts, deps)
  }

  get bytes(): number {
    return this.temp.bytes
  }

  /** Checks and writes one chunk; throws 413 over the cap and, in strict mode, the JSONL error. */
  async write(chunk: Uint8Array): Promise<void> {
    if (this.temp.bytes + chunk.length > this.opts.maxBytes) throw payloadTooLarge(this.opts.maxBytes, this.opts.purpose)
    if (this.checker) {
      this.checker.push(chunk)
      if (this.opts.strict && this.checker.error) throw this.checker.error
    }
    await this.temp.write(chunk)
  }

  /** Ends the JSONL check (final line, empty file) and throws its first problem, if any. */
  finishJsonl(): number {
    if (!this.checker) throw new Error('finishJsonl without a checker')
    this.checker.end()
    if (this.checker.error) throw this.checker.error
    return this.checker.lineCount
  }

  /** Closes the temp file; the caller then owns (and must move or discard) it. */
  finish(): Promise<FinishedUpload> {
    return this.temp.finish()
  }

  /** Removes the temp file; safe after any failure. */
  discard(): Promise<void> {
    return this.temp.discard()
  }
}
