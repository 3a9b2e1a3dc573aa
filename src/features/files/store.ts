/**
 * Moving finished bytes into `<data-dir>/files/<file_id>` and recording the row. The bytes are in
 * place before the row exists, and a failed insert removes them, so a row always has its bytes.
 */
import { copyFile, rename, unlink } from 'node:fs/promises'
import { join, relative } from 'node:path'
import { eq } from 'drizzle-orm'
import type { Deps } from '../../deps'
import { AppError } from '../../lib/errors'
import { newId } from '../../lib/ids'
import { filesTable, type FileRow } from './table'
import { openAiPurpose } from './models'
import type { FinishedUpload } from './temp-upload'

/** Batch inputs expire 30 days after upload unless the client says otherwise. */
export const BATCH_INPUT_TTL_MS = 30 * 24 * 3600 * 1000

/** What a stored file is, besides its bytes. */
export interface FileMeta {
  orgId: string
  filename: string
  purpose: string
  contentType: string
  lineCount?: number | null
  /** Unix milliseconds; null or absent for no expiry. */
  expiresAt?: number | null
  /** Unix milliseconds; defaults to now (pass it when the expiry was computed from it). */
  createdAt?: number
}

/**
 * Removes the row of `fileId` inside the caller's transaction (a create that is rolled back takes
 * the file it wrote with it) and returns where its bytes are, for the caller to delete after the
 * commit; null when there is no such row.
 */
export function removeFileRowInTx(deps: Deps, fileId: string): string | null {
  const [row] = deps.db.delete(filesTable).where(eq(filesTable.id, fileId)).returning({ path: filesTable.path }).all()
  return row ? join(deps.paths.dataDir, row.path) : null
}

/**
 * Moves `finished.path` into files/ under a new id and inserts its row; returns the row. With a
 * `signal` (the upload's request), a client that hung up before the row is written gets nothing
 * stored: the bytes are removed and 400 invalid_request is thrown.
 */
export async function commitFile(deps: Deps, finished: FinishedUpload, meta: FileMeta, signal?: AbortSignal): Promise<FileRow> {
  const id = newId('file')
  const absolutePath = join(deps.paths.files, id)
  await moveFile(finished.path, absolutePath)
  if (signal?.aborted) {
    await unlink(absolutePath).catch(() => undefined)
    throw new AppError('invalid_request', { message: 'The client closed the connection before the upload was stored; send it again.' })
  }
  const row: FileRow = {
    id,
    orgId: meta.orgId,
    filename: meta.filename,
    purpose: openAiPurpose(meta.purpose, meta.contentType),
    contentType: meta.contentType,
    bytes: finished.bytes,
    sha256: finished.sha256,
    lineCount: meta.lineCount ?? null,
    path: relative(deps.paths.dataDir, absolutePath),
    createdAt: meta.createdAt ?? deps.clock.now(),
    expiresAt: meta.expiresAt ?? null,
    deletedAt: null,
  }
  try {
    deps.db.insert(filesTable).values(row).run()
  } catch (err) {
    await unlink(absolutePath).catch(() => undefined)
    throw err
  }
  return row
}

/**
 * Stores a file another feature has already written (a batch output, an inline-items JSONL):
 * computes its SHA-256 and size by streaming it, moves it into files/ and records it. The source
 * path is gone afterwards. `expiresAt` is unix milliseconds.
 */
export async function storeFileFromPath(deps: Deps, input: FileMeta & { sourcePath: string }): Promise<FileRow> {
  const hasher = new Bun.CryptoHasher('sha256')
  let bytes = 0
  for await (const chunk of Bun.file(input.sourcePath).stream()) {
    hasher.update(chunk)
    bytes += chunk.length
  }
  const { sourcePath, ...meta } = input
  return commitFile(deps, { path: sourcePath, bytes, sha256: hasher.digest('hex') }, meta)
}

/** rename, or copy + unlink when the source is on another filesystem. */
async function moveFile(from: string, to: string): Promise<void> {
  try {
    await rename(from, to)
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EXDEV') throw err
    await copyFile(from, to)
    await unlink(from)
  }
}
