/**
 * The JSONL check of one upload in a Worker (jsonl-check-worker.ts), so splitting and parsing a
 * 200 MB batch input never holds the API thread between body chunks. Chunks are transferred (a
 * view into a larger buffer is copied first); at most `maxInFlightBytes` wait unchecked (beyond
 * that `push` awaits the worker's acks), which keeps memory flat however fast the client sends. The first problem
 * comes back with an ack and is visible as `problem` from then on.
 */
import { AppError } from '../../lib/errors'
import type { JsonlLimits } from './jsonl-check'
import type { CheckProblem, FromJsonlCheckWorker, ToJsonlCheckWorker } from './jsonl-check-worker'

/** Unchecked bytes allowed in flight before `push` waits for the worker. */
export const DEFAULT_MAX_IN_FLIGHT_BYTES = 8 * 1024 * 1024

/**
 * Where the worker's code is: next to this file when run from source; in a compiled binary
 * (`bun build --compile src/main.ts … src/features/files/jsonl-check-worker.ts`) the bundled
 * entrypoint, addressed relative to the entrypoints' common root (`src/`).
 */
function workerSpecifier(): string {
  const compiled = Bun.main.startsWith('/$bunfs/') || /^[A-Z]:[\\/]~BUN[\\/]/.test(Bun.main)
  return compiled ? './features/files/jsonl-check-worker.ts' : new URL('./jsonl-check-worker.ts', import.meta.url).href
}

/**
 * True when `chunk` is the whole of its ArrayBuffer (a raw request body's chunks are), so it can
 * be transferred as it is; a multipart part's data is a view into a larger buffer (a Buffer's
 * `slice()` is such a view too), and is copied into a buffer of its own first.
 */
function ownsItsBuffer(chunk: Uint8Array): chunk is Uint8Array<ArrayBuffer> {
  return chunk.byteOffset === 0 && chunk.byteLength === chunk.buffer.byteLength && chunk.buffer instanceof ArrayBuffer
}

function toAppError(p: CheckProblem): AppError {
  return new AppError(p.code, { message: p.message, param: p.param, details: p.details })
}

/** One upload's JSONL check in its own Worker; `close()` ends the worker on every path. */
export class JsonlCheckInWorker {
  /** The first problem the worker reported, if any. */
  problem: AppError | null = null
  private readonly worker: Worker
  private inFlight = 0
  private failure: Error | null = null
  private closed = false
  /** Woken on every message from the worker (or its failure). */
  private wake: (() => void) | null = null
  private ended: { lineCount: number } | null = null

  constructor(
    limits: JsonlLimits,
    private readonly maxInFlightBytes = DEFAULT_MAX_IN_FLIGHT_BYTES,
  ) {
    this.worker = new Worker(workerSpecifier())
    this.worker.onmessage = (event: MessageEvent<FromJsonlCheckWorker>) => this.receive(event.data)
    this.worker.onerror = (event) => this.fail(new Error(`jsonl check worker: ${event.message}`))
    this.post({ kind: 'start', limits })
  }

  /**
   * Hands `chunk` to the worker (its buffer is transferred: the caller must be done with it) and
   * waits while more than the bound is unchecked.
   */
  async push(chunk: Uint8Array): Promise<void> {
    if (this.problem) return // the checker ignores input after its first problem
    const copy = ownsItsBuffer(chunk) ? chunk : new Uint8Array(chunk)
    this.inFlight += copy.byteLength
    this.post({ kind: 'chunk', bytes: copy.buffer }, [copy.buffer])
    while (this.inFlight > this.maxInFlightBytes && !this.problem) await this.next()
  }

  /** Ends the check; resolves with the line count, or throws the first problem. */
  async end(): Promise<number> {
    this.post({ kind: 'end' })
    while (!this.ended) await this.next()
    this.close()
    if (this.problem) throw this.problem
    return this.ended.lineCount
  }

  /** Stops the worker; safe to call more than once. */
  close(): void {
    if (this.closed) return
    this.closed = true
    this.worker.terminate()
    this.fail(new Error('jsonl check worker closed'))
  }

  private post(m: ToJsonlCheckWorker, transfer: ArrayBuffer[] = []): void {
    if (this.failure) throw this.failure
    this.worker.postMessage(m, transfer)
  }

  private next(): Promise<void> {
    if (this.failure) return Promise.reject(this.failure)
    return new Promise((resolve) => {
      this.wake = resolve
    })
  }

  private receive(m: FromJsonlCheckWorker): void {
    if (m.problem && !this.problem) this.problem = toAppError(m.problem)
    if (m.kind === 'ack') this.inFlight -= m.bytes
    else this.ended = { lineCount: m.lineCount }
    this.notify()
  }

  private fail(err: Error): void {
    this.failure ??= err
    this.notify()
  }

  private notify(): void {
    const wake = this.wake
    this.wake = null
    wake?.()
  }
}
