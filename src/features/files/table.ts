/** Uploaded and generated files; the bytes live on disk under `<data-dir>/files/`. */
import { sqliteTable, text, integer, index } from 'drizzle-orm/sqlite-core'
import { parentTable } from '../../db/parent-table'

/** accounts owns the orgs table; rows here belong to an org. */
const orgsTable = parentTable('orgs')

export const filesTable = sqliteTable(
  'files',
  {
    id: text('id').primaryKey(),
    orgId: text('org_id').notNull().references(() => orgsTable.id),
    filename: text('filename').notNull(),
    purpose: text('purpose').notNull(),
    contentType: text('content_type').notNull(),
    bytes: integer('bytes').notNull(),
    sha256: text('sha256').notNull(),
    lineCount: integer('line_count'),
    /** Path relative to the data dir. */
    path: text('path').notNull(),
    createdAt: integer('created_at').notNull(),
    expiresAt: integer('expires_at'),
    deletedAt: integer('deleted_at'),
  },
  (t) => [index('files_org_idx').on(t.orgId, t.createdAt)],
)

export type FileRow = typeof filesTable.$inferSelect
