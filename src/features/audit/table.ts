/** Operator audit log: every admin action that is not itself a ledger entry. */
import { sqliteTable, text, integer } from 'drizzle-orm/sqlite-core'

export const auditLogTable = sqliteTable('audit_log', {
  id: integer('id').primaryKey({ autoIncrement: true }),
  actorKeyId: text('actor_key_id'),
  action: text('action').notNull(),
  subjectId: text('subject_id'),
  detail: text('detail', { mode: 'json' }),
  createdAt: integer('created_at').notNull(),
})
