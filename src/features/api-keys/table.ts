/** API keys: only a SHA-256 of the secret and a short visible `start` are stored. */
import { sqliteTable, text, integer, index } from 'drizzle-orm/sqlite-core'
import { parentTable } from '../../db/parent-table'

/** accounts owns the orgs table; rows here belong to an org. */
const orgsTable = parentTable('orgs')

export const apiKeysTable = sqliteTable(
  'api_keys',
  {
    id: text('id').primaryKey(),
    /** Null for operator (admin) keys. */
    orgId: text('org_id').references(() => orgsTable.id),
    kind: text('kind', { enum: ['live', 'admin'] }).notNull(),
    name: text('name').notNull(),
    hash: text('hash').notNull().unique(),
    start: text('start').notNull(),
    createdAt: integer('created_at').notNull(),
    expiresAt: integer('expires_at'),
    lastUsedAt: integer('last_used_at'),
    revokedAt: integer('revoked_at'),
  },
  (t) => [index('api_keys_org_idx').on(t.orgId)],
)

export type ApiKeyRow = typeof apiKeysTable.$inferSelect
