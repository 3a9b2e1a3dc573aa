/**
 * Reading and deleting files, always scoped to one org: another org's file is not found (404),
 * never forbidden. Uploads live in upload-raw.ts / upload-multipart.ts.
 */
import { and, asc, desc, eq, gt, inArray, isNull, lt, or, type SQL } from 'drizzle-orm'
import { unlink } from 'node:fs/promises'
import { join } from 'node:path'
import type { Deps } from '../../deps'
import { writeTx } from '../../db/tx'
import { AppError, notFound } from '../../lib/errors'
import { filesTable, type FileRow } from './table'
import { storedPurposesFor } from './models'

/** A live file of an org and where its bytes are. */
export interface OrgFile {
  row: FileRow
  /** Where the bytes are on disk. */
  absolutePath: string
}

/** One page request of GET /v1/files. */
export interface ListFilesOptions {
  after?: string
  limit: number
  order: 'asc' | 'desc'
  purpose?: string
  /** Only files with these bytes (lowercase hex SHA-256): finds an earlier upload of the same file. */
  sha256?: string
}

/** The org's live (not deleted) file with its absolute path; throws 404 not_found otherwise. */
export function getFileForOrg(deps: Deps, orgId: string, fileId: string): OrgFile {
  const row = deps.db
    .select()
    .from(filesTable)
    .where(and(eq(filesTable.id, fileId), eq(filesTable.orgId, orgId), isNull(filesTable.deletedAt)))
    .get()
  if (!row) throw notFound('file', fileId)
  return { row, absolutePath: join(deps.paths.dataDir, row.path) }
}

/**
 * One page of the org's live files by creation time (id breaks ties), after the `after` file.
 * The cursor may be a deleted file of the org, so paging survives deletions; an unknown cursor is 400.
 */
export function listFiles(deps: Deps, orgId: string, opts: ListFilesOptions): { rows: FileRow[]; hasMore: boolean } {
  const conditions: (SQL | undefined)[] = [eq(filesTable.orgId, orgId), isNull(filesTable.deletedAt)]
  if (opts.purpose !== undefined) conditions.push(inArray(filesTable.purpose, storedPurposesFor(opts.purpose)))
  if (opts.sha256 !== undefined) conditions.push(eq(filesTable.sha256, opts.sha256))
  if (opts.after !== undefined) {
    const cursor = deps.db
      .select({ id: filesTable.id, createdAt: filesTable.createdAt })
      .from(filesTable)
      .where(and(eq(filesTable.id, opts.after), eq(filesTable.orgId, orgId)))
      .get()
    if (!cursor) throw new AppError('invalid_request', { message: `No file '${opts.after}' to page after: pass the last_id of the previous page.`, param: 'after' })
    const beyond = opts.order === 'asc' ? gt : lt
    conditions.push(or(beyond(filesTable.createdAt, cursor.createdAt), and(eq(filesTable.createdAt, cursor.createdAt), beyond(filesTable.id, cursor.id))))
  }
  const direction = opts.order === 'asc' ? asc : desc
  const rows = deps.db
    .select()
    .from(filesTable)
    .where(and(...conditions))
    .orderBy(direction(filesTable.createdAt), direction(filesTable.id))
    .limit(opts.limit + 1)
    .all()
  return { rows: rows.slice(0, opts.limit), hasMore: rows.length > opts.limit }
}

/**
 * Who still reads a file, asked before it is deleted (inside the delete's transaction): the id
 * of a batch that is not finished and reads it as its input, or null. The batches feature
 * answers it; http/routes.ts hands it to the files routes, so files never import batches.
 */
export type FileReader = (deps: Deps, fileId: string) => string | null

/**
 * Marks the file deleted and removes its bytes. Throws 404 for an unknown or another org's file
 * and 409 file_in_use while `readerOf` names a running batch that reads it as input.
 */
export async function deleteFile(deps: Deps, orgId: string, fileId: string, readerOf: FileReader): Promise<FileRow> {
  const { row, absolutePath } = writeTx(deps.db, () => {
    const found = getFileForOrg(deps, orgId, fileId)
    const reader = readerOf(deps, fileId)
    if (reader !== null) {
      throw new AppError('file_in_use', { message: `File ${fileId} is the input of batch ${reader}, which is still running; delete it once the batch has finished or been cancelled.`, details: { batch_id: reader } })
    }
    deps.db.update(filesTable).set({ deletedAt: deps.clock.now() }).where(eq(filesTable.id, fileId)).run()
    return found
  })
  await unlink(absolutePath).catch((err: NodeJS.ErrnoException) => {
    if (err.code !== 'ENOENT') deps.log.warn('file bytes not removed', { file_id: fileId, error: err.message })
  })
  return row
}
