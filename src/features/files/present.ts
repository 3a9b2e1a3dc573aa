/** The one place a file row becomes the wire FileObject (OpenAI file object plus native fields). */
import { toUnix } from '../../lib/clock'
import { openAiPurpose, type FileObject } from './models'
import type { FileRow } from './table'

/** Row → FileObject; timestamps in unix seconds, `line_count` only when recorded. */
export function presentFile(row: FileRow): FileObject {
  return {
    id: row.id,
    file_id: row.id,
    object: 'file',
    bytes: row.bytes,
    created_at: toUnix(row.createdAt),
    expires_at: row.expiresAt === null ? null : toUnix(row.expiresAt),
    filename: row.filename,
    purpose: openAiPurpose(row.purpose, row.contentType),
    status: 'processed',
    content_type: row.contentType,
    sha256: row.sha256,
    ...(row.lineCount === null ? {} : { line_count: row.lineCount }),
  }
}

/** A page of rows → the OpenAI list envelope; first_id/last_id are null on an empty page. */
export function presentFileList(rows: FileRow[], hasMore: boolean) {
  return {
    object: 'list' as const,
    data: rows.map(presentFile),
    first_id: rows[0]?.id ?? null,
    last_id: rows.at(-1)?.id ?? null,
    has_more: hasMore,
  }
}
