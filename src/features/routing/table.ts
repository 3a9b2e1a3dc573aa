/**
 * Observed statistics: one row per finished lane — how long it took and how its items ended.
 * Routing reads a rolling window of these per offering (routing/stats.ts); rows are never updated.
 */
import { sqliteTable, text, integer, index } from 'drizzle-orm/sqlite-core'
import { parentTable } from '../../db/parent-table'

/** batches owns the batches table; receipt entries belong to a batch. */
const batchesTable = parentTable('batches')

export const laneOutcomesTable = sqliteTable(
  'lane_outcomes',
  {
    /** The finished lane (lanes.id); one outcome per lane, the first record wins. */
    laneId: text('lane_id').primaryKey(),
    offeringId: text('offering_id').notNull(),
    batchId: text('batch_id').notNull(),
    /** How the lane ended: completed, failed, expired, cancelled, or rerouted (abandoned by failover). */
    status: text('status').notNull(),
    startedAt: integer('started_at').notNull(),
    finishedAt: integer('finished_at').notNull(),
    /** Lane creation to its last finished item; null when items expired, were cancelled or moved. */
    turnaroundMs: integer('turnaround_ms'),
    completed: integer('completed').notNull().default(0),
    failed: integer('failed').notNull().default(0),
    expired: integer('expired').notNull().default(0),
  },
  (t) => [index('lane_outcomes_offering_idx').on(t.offeringId, t.finishedAt)],
)

export type LaneOutcomeRow = typeof laneOutcomesTable.$inferSelect

/** Routing receipt entries: every lane considered and every re-route, with reasons. */
export const routingDecisionsTable = sqliteTable(
  'routing_decisions',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    batchId: text('batch_id').notNull().references(() => batchesTable.id),
    kind: text('kind').notNull(),
    model: text('model').notNull(),
    operation: text('operation').notNull(),
    detail: text('detail', { mode: 'json' }).notNull(),
    createdAt: integer('created_at').notNull(),
  },
  (t) => [index('routing_decisions_batch_idx').on(t.batchId)],
)

export type RoutingDecisionRow = typeof routingDecisionsTable.$inferSelect
