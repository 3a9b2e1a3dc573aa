/**
 * Foreign keys by table name. A table whose rows belong to another feature's rows (items to a
 * batch, keys to an org) names its parent here instead of importing the parent feature's table.ts:
 * the SQL is the same `REFERENCES parent(id)`, and the lower feature stays independent of the
 * higher one. Never exported as a table of its own: drizzle-kit sees only the owner's definition.
 */
import { sqliteTable, text } from 'drizzle-orm/sqlite-core'

/** The parent table `name` as a foreign-key target (its key is `id`, text, like every id here). */
export function parentTable(name: string) {
  return sqliteTable(name, { id: text('id').primaryKey() })
}
