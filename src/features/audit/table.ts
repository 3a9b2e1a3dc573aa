/** Operator audit log: every admin action, with the acting key (null = the local CLI). */
import { sqliteTable, text, integer } from 'drizzle-orm/sqlite-core'

export const auditLogTable = sqliteTable('audit_log', {
  id: integer('id').primaryKey({ autoIncrement: true }),
  actorKeyId: text('actor_key_id'),
  action: text('action').notNull(),
  subjectId: text('subject_id'),
  detail: text('detail', { mode: 'json' }).$type<Record<string, unknown>>(),
  createdAt: integer('created_at').notNull(),
})

export type AuditRow = typeof auditLogTable.$inferSelect
