/** Organisations: the customer accounts that own keys, files, batches and credit. */
import { sqliteTable, text, integer } from 'drizzle-orm/sqlite-core'

export const orgsTable = sqliteTable('orgs', {
  id: text('id').primaryKey(),
  name: text('name').notNull(),
  email: text('email'),
  agentName: text('agent_name'),
  /** Org default webhook (contract §7); the secret signs and is never returned. */
  webhookUrl: text('webhook_url'),
  webhookSecret: text('webhook_secret'),
  progressEvents: integer('progress_events', { mode: 'boolean' }).notNull().default(false),
  createdAt: integer('created_at').notNull(),
})

export type OrgRow = typeof orgsTable.$inferSelect
