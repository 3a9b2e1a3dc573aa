/**
 * Where an upload's file bytes go while they stream in: a temp file (SHA-256 on the way), a byte
 * cap, and — for a JSONL batch input — the line checker, all in one pass. The checker runs in a
 * Worker (jsonl-check-offthread.ts) so parsing never holds the API thread; its verdict is looked
 * at between chunks. In strict mode the first JSONL problem stops the upload as soon as the worker
 * reports it (within the bytes in flight); otherwise it is kept until the purpose is known.
 */
import type { Deps } from '../../deps'
import { AppError } from '../../lib/errors'
import { JsonlCheckInWorker } from './jsonl-check-offthread'
import { isBatchInputPurpose } from './models'
import { TempUpload, type FinishedUpload } from './temp-upload'

/**
 * Longest stretch of chunk handling between yields to the event loop (when `yieldToLoop`). A fast
 * client keeps the body's reads resolving at once, and without a yield other requests waited
 * 15–80 ms for their turn (bench/ingest.ts, with the JSONL check already in its worker); /healthz
 * p99 was ~20 ms yielding every 4 ms and 8.6 ms every 1 ms.
 */
const YIELD_AFTER_MS = 1

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
  /**
   * Give other requests a turn every YIELD_AFTER_MS. Bun reads the body ahead while the loop is
   * free, so this costs memory: fine for a raw body (+22–29 MiB RSS over a 150 MiB upload), not
   * for multipart, whose parser and part copies took the same upload from +31–43 to +53–71 MiB
   * when yielding every 4–12 ms (the limit in test/features/files/large-upload.test.ts is 64).
   */
  yieldToLoop: boolean
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
  private readonly checker: JsonlCheckInWorker | null

  private lastYield = performance.now()

  private constructor(
    private readonly temp: TempUpload,
    private readonly opts: SinkOptions,
    deps: Deps,
  ) {
    this.checker = opts.checkJsonl ? new JsonlCheckInWorker({ maxLines: deps.config.limits.batchLines, lineBytes: deps.config.limits.lineBytes, maxDepth: deps.config.limits.jsonDepth }) : null
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
    if (this.checker && this.opts.strict && this.checker.problem) throw this.checker.problem
    await this.temp.write(chunk)
    // After the write: pushing transfers the chunk's buffer to the worker.
    if (this.checker) await this.checker.push(chunk)
    if (this.checker && this.opts.strict && this.checker.problem) throw this.checker.problem
    if (this.opts.yieldToLoop && performance.now() - this.lastYield > YIELD_AFTER_MS) {
      await new Promise((resolve) => setImmediate(resolve))
      this.lastYield = performance.now()
    }
  }

  /** Ends the JSONL check (final line, empty file) and throws its first problem, if any. */
  finishJsonl(): Promise<number> {
    if (!this.checker) throw new Error('finishJsonl without a checker')
    return this.checker.end()
  }

  /** Closes the temp file (and the checker's worker); the caller then owns (and must move or discard) it. */
  finish(): Promise<FinishedUpload> {
    this.checker?.close()
    return this.temp.finish()
  }

  /** Removes the temp file and stops the checker's worker; safe after any failure. */
  discard(): Promise<void> {
    this.checker?.close()
    return this.temp.discard()
  }
}
