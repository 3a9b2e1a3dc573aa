/**
 * Observed statistics: one row per finished lane — how long it took and how its items ended.
 * Routing reads a rolling window of these per offering (routing/stats.ts); rows are never updated.
 */
import { sqliteTable, text, integer, index } from 'drizzle-orm/sqlite-core'

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
