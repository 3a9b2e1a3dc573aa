/**
 * A file being received: bytes go to `<tmp>/<random>` as they arrive, with SHA-256 and the byte
 * count computed on the way. Each chunk is flushed through a Bun FileSink before the next is
 * read. (Awaiting `fs/promises` writes instead lets Bun coalesce the body into ~1.5 MB chunks
 * while the thread-pool write runs, which more than doubled peak RSS on a 150 MB upload.)
 * `discard()` removes every trace; `finish()` hands the path over.
 */
import { unlink } from 'node:fs/promises'
import type { FileSink } from 'bun'
import { join } from 'node:path'
import type { Deps } from '../../deps'
import { randomBase62 } from '../../lib/ids'

export interface FinishedUpload {
  path: string
  bytes: number
  sha256: string
}

export class TempUpload {
  bytes = 0
  private readonly hasher = new Bun.CryptoHasher('sha256')
  private closed = false

  private constructor(
    readonly path: string,
    private readonly sink: FileSink,
  ) {}

  /** Creates an empty temp file under `deps.paths.tmp`. */
  static async create(deps: Deps): Promise<TempUpload> {
    const path = join(deps.paths.tmp, `upload-${randomBase62(20)}`)
    return new TempUpload(path, Bun.file(path).writer())
  }

  /** Appends `chunk` (hashing it); resolves once the bytes are handed to the OS. */
  async write(chunk: Uint8Array): Promise<void> {
    this.hasher.update(chunk)
    this.bytes += chunk.length
    this.sink.write(chunk)
    await this.sink.flush()
  }

  /** Closes the file and returns its path, size and digest; the caller now owns the file. */
  async finish(): Promise<FinishedUpload> {
    await this.close()
    return { path: this.path, bytes: this.bytes, sha256: this.hasher.digest('hex') }
  }

  /** Closes and deletes the temp file; safe to call more than once and after `finish()`. */
  async discard(): Promise<void> {
    await this.close().catch(() => undefined)
    await unlink(this.path).catch(() => undefined)
  }

  private async close(): Promise<void> {
    if (this.closed) return
    this.closed = true
    await this.sink.end()
  }
}
