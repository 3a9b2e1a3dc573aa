/** Quotes: a priced routing plan that locks per-token rates for 10 minutes. */
import { sqliteTable, text, integer, index } from 'drizzle-orm/sqlite-core'
import { parentTable } from '../../db/parent-table'
import type { LockedRates } from '../routing/index'
import type { QuoteResponse } from './models'
import type { RoutingParams } from './params'

/** accounts owns the orgs table; rows here belong to an org. */
const orgsTable = parentTable('orgs')

export const quotesTable = sqliteTable(
  'quotes',
  {
    id: text('id').primaryKey(),
    orgId: text('org_id').notNull().references(() => orgsTable.id),
    /** Fingerprint of the routing parameters; a batch citing this quote must match it. */
    paramsHash: text('params_hash').notNull(),
    params: text('params', { mode: 'json' }).$type<RoutingParams>().notNull(),
    /** Locked rates per offering: `{ [offeringId]: {input, output} }` in micro-dollars per 1M. */
    lockedRates: text('locked_rates', { mode: 'json' }).$type<LockedRates>().notNull(),
    /** The SLA tier's price multiplier in basis points at quote time; a batch citing the quote is priced at it. */
    slaMultiplierBps: integer('sla_multiplier_bps').notNull(),
    totalMicros: integer('total_micros').notNull(),
    response: text('response', { mode: 'json' }).$type<QuoteResponse>().notNull(),
    createdAt: integer('created_at').notNull(),
    validUntil: integer('valid_until').notNull(),
  },
  (t) => [index('quotes_org_idx').on(t.orgId)],
)

export type QuoteRow = typeof quotesTable.$inferSelect
