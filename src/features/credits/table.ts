/**
 * The credit ledger: append-only entries, each moving micro-dollars between "available" and
 * "reserved". Balances are sums of the deltas; every entry has a unique reference so a retried
 * movement is written once.
 */
import { sqliteTable, text, integer, index } from 'drizzle-orm/sqlite-core'
import { parentTable } from '../../db/parent-table'

/** accounts owns the orgs table; rows here belong to an org. */
const orgsTable = parentTable('orgs')

export const ledgerEntriesTable = sqliteTable(
  'ledger_entries',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    orgId: text('org_id').notNull().references(() => orgsTable.id),
    kind: text('kind', { enum: ['grant', 'reserve', 'charge', 'release', 'refund', 'adjust'] }).notNull(),
    /** Magnitude of the movement, always ≥ 0 except for `adjust`, which may be negative. */
    amount: integer('amount').notNull(),
    deltaAvailable: integer('delta_available').notNull(),
    deltaReserved: integer('delta_reserved').notNull(),
    reference: text('reference').notNull().unique(),
    reservationId: text('reservation_id'),
    batchId: text('batch_id'),
    note: text('note'),
    createdAt: integer('created_at').notNull(),
  },
  (t) => [index('ledger_org_idx').on(t.orgId), index('ledger_reservation_idx').on(t.reservationId)],
)

export const reservationsTable = sqliteTable(
  'reservations',
  {
    id: text('id').primaryKey(),
    orgId: text('org_id').notNull().references(() => orgsTable.id),
    batchId: text('batch_id'),
    amount: integer('amount').notNull(),
    charged: integer('charged').notNull().default(0),
    released: integer('released').notNull().default(0),
    status: text('status', { enum: ['active', 'settled'] }).notNull(),
    createdAt: integer('created_at').notNull(),
    settledAt: integer('settled_at'),
  },
  (t) => [index('reservations_org_idx').on(t.orgId)],
)

export type LedgerEntryRow = typeof ledgerEntriesTable.$inferSelect
export type ReservationRow = typeof reservationsTable.$inferSelect
