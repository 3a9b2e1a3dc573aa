/**
 * A file being received: bytes go to `<tmp>/<random>` as they arrive, with SHA-256 and the byte
 * count computed on the way. Writes are awaited one at a time, so memory stays at one chunk no
 * matter how large the upload. `discard()` removes every trace; `finish()` hands the path over.
 */
import { open, unlink, type FileHandle } from 'node:fs/promises'
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
    private readonly handle: FileHandle,
  ) {}

  /** Creates an empty temp file under `deps.paths.tmp`. */
  static async create(deps: Deps): Promise<TempUpload> {
    const path = join(deps.paths.tmp, `upload-${randomBase62(20)}`)
    return new TempUpload(path, await open(path, 'wx'))
  }

  /** Appends `chunk` (hashing it); resolves once the bytes are handed to the OS. */
  async write(chunk: Uint8Array): Promise<void> {
    this.hasher.update(chunk)
    this.bytes += chunk.length
    let offset = 0
    while (offset < chunk.length) {
      const { bytesWritten } = await this.handle.write(chunk, offset, chunk.length - offset)
      offset += bytesWritten
    }
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
    await this.handle.close()
  }
}
