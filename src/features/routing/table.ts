/**
 * Observed statistics: one row per finished lane — how long it took and how its items ended.
 * Routing reads a rolling window of these per offering (routing/stats.ts); rows are never updated.
 */
import { sqliteTable, text, integer, index } from 'drizzle-orm/sqlite-core'
import { parentTable } from '../../db/parent-table'
import type { CandidateObject } from './types'

/** batches owns the batches table; receipt entries belong to a batch. */
const batchesTable = parentTable('batches')

/** How a finished lane ended: its batch's end, or `rerouted` (abandoned by failover). */
export type LaneOutcomeStatus = 'completed' | 'failed' | 'expired' | 'cancelled' | 'rerouted'

export const laneOutcomesTable = sqliteTable(
  'lane_outcomes',
  {
    /** The finished lane (lanes.id); one outcome per lane, the first record wins. */
    laneId: text('lane_id').primaryKey(),
    offeringId: text('offering_id').notNull(),
    batchId: text('batch_id').notNull(),
    /** How the lane ended: completed, failed, expired, cancelled, or rerouted (abandoned by failover). */
    status: text('status').$type<LaneOutcomeStatus>().notNull(),
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

/** Kinds of receipt entry: a group's routing, a group still waiting for a lane, a re-route of a lane's items. */
export const DECISION_KINDS = ['initial', 'waiting', 'reroute'] as const
export type DecisionKind = (typeof DECISION_KINDS)[number]

/** A candidate lane as a decision records it: its wire shape and the lane it became (null when not selected). */
export type RecordedCandidate = CandidateObject & { lane_id: string | null }

/** The detail of an `initial` or `waiting` entry: the group and every candidate lane. */
export interface DecisionDetail {
  item_count: number
  /** The request's models list and the item models of the group, when it merged several. */
  models?: string[]
  item_models?: string[]
  routable: boolean
  lane_mode: 'single_lane' | 'multi_lane'
  split_reason: string | null
  waiting_reason?: string
  /** Internal: what a waiting entry's verdicts were, so an unchanged one is not written again. */
  signature?: string
  candidates: RecordedCandidate[]
}

/** The detail of a `reroute` entry. */
export interface RerouteDetail {
  cause: string
  from_lane_id: string
  from_offering_id: string
  to_lane_id: string | null
  to_offering_id: string | null
  item_count: number
  message: string | null
}

/** Routing receipt entries: every lane considered and every re-route, with reasons. */
export const routingDecisionsTable = sqliteTable(
  'routing_decisions',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    batchId: text('batch_id').notNull().references(() => batchesTable.id),
    kind: text('kind').$type<DecisionKind>().notNull(),
    model: text('model').notNull(),
    operation: text('operation').notNull(),
    detail: text('detail', { mode: 'json' }).$type<DecisionDetail | RerouteDetail>().notNull(),
    createdAt: integer('created_at').notNull(),
  },
  (t) => [index('routing_decisions_batch_idx').on(t.batchId)],
)

export type RoutingDecisionRow = typeof routingDecisionsTable.$inferSelect
