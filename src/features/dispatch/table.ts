/**
 * The work: lanes (a batch's items assigned to one offering), provider jobs (batches submitted to
 * a provider's batch API) and leases (a set of rows claimed together by one holder until
 * `lease_until`). Lanes and provider jobs reference their batch by id.
 */
import { sql } from 'drizzle-orm'
import { sqliteTable, text, integer, index } from 'drizzle-orm/sqlite-core'
import { parentTable } from '../../db/parent-table'
import type { Operation } from '../../catalog-schema'
import type { LaneStatus, ProviderJobCause, ProviderJobRowStatus } from './state'

/** batches owns the batches table; lanes and provider jobs belong to a batch. */
const batchesTable = parentTable('batches')

export const lanesTable = sqliteTable(
  'lanes',
  {
    id: text('id').primaryKey(),
    batchId: text('batch_id').notNull().references(() => batchesTable.id),
    model: text('model').notNull(),
    operation: text('operation').$type<Operation>().notNull(),
    provider: text('provider').notNull(),
    offeringId: text('offering_id').notNull(),
    /** LANE_STATUSES (state.ts). */
    status: text('status').$type<LaneStatus>().notNull(),
    itemCount: integer('item_count').notNull(),
    /** Item models this lane takes (the group's models list); lets an interrupted fill resume. */
    itemModels: text('item_models', { mode: 'json' }).$type<string[]>().notNull().default(sql`'[]'`),
    inputRate: integer('input_rate').notNull(),
    outputRate: integer('output_rate').notNull(),
    /** The batch's SLA price multiplier in basis points (10000 = ×1): items are settled at it. */
    slaMultiplierBps: integer('sla_multiplier_bps').notNull(),
    quotedMicros: integer('quoted_micros').notNull(),
    /** Offering ids to fail over to, in order. */
    fallbacks: text('fallbacks', { mode: 'json' }).$type<string[]>().notNull(),
    createdAt: integer('created_at').notNull(),
  },
  (t) => [index('lanes_batch_idx').on(t.batchId)],
)

/**
 * Jobs submitted to a provider's batch API (openai-batch, anthropic-batches): one row per
 * provider batch, written BEFORE the remote create so a crash is reconciled, polled by
 * collect-results (`next_poll_at`; leased while submitted or polled). Items point here by
 * `items.provider_job_id`.
 */
export const providerJobsTable = sqliteTable(
  'provider_jobs',
  {
    id: text('id').primaryKey(),
    batchId: text('batch_id').notNull().references(() => batchesTable.id),
    laneId: text('lane_id').notNull(),
    provider: text('provider').notNull(),
    offeringId: text('offering_id').notNull(),
    /** Wire protocol: openai-batch | anthropic-batches. */
    kind: text('kind').notNull(),
    /** PROVIDER_JOB_STATUSES (state.ts). */
    status: text('status').$type<ProviderJobRowStatus>().notNull(),
    /** PROVIDER_JOB_CAUSES when it did not end normally. */
    cause: text('cause').$type<ProviderJobCause>(),
    remoteId: text('remote_id'),
    itemCount: integer('item_count').notNull(),
    /** Submission attempts so far. */
    attempts: integer('attempts').notNull().default(0),
    createdAt: integer('created_at').notNull(),
    submittedAt: integer('submitted_at'),
    lastPolledAt: integer('last_polled_at'),
    /** Last time the remote counts moved (stall detection). */
    progressAt: integer('progress_at'),
    progressCount: integer('progress_count').notNull().default(0),
    cancelRequestedAt: integer('cancel_requested_at'),
    endedAt: integer('ended_at'),
    nextPollAt: integer('next_poll_at').notNull(),
    /** The lease (leases.id) of whoever submits or polls it now; null when free. */
    leaseId: text('lease_id'),
    error: text('error'),
  },
  (t) => [
    index('provider_jobs_due_idx').on(t.status, t.nextPollAt),
    index('provider_jobs_provider_idx').on(t.provider, t.endedAt),
    index('provider_jobs_batch_idx').on(t.batchId),
  ],
)

/**
 * Leases (design §4, style "Work that waits"): one row per set of rows claimed together by one
 * holder — a runner, a job, later an edge node. Claimed rows carry its id in their `lease_id`;
 * the holder may extend it; when `lease_until` passes, rescue-leases gives its rows back.
 */
export const leasesTable = sqliteTable(
  'leases',
  {
    /** `lease_…` */
    id: text('id').primaryKey(),
    /** The kind of row it leases (LeaseKind.name, leases.ts): items, provider-jobs, webhook-events, … */
    kind: text('kind').notNull(),
    /** Who holds it: `request-runner`, `batch-runner`, `collect-results`, … (an edge node's id later). */
    holder: text('holder').notNull(),
    leaseUntil: integer('lease_until').notNull(),
    createdAt: integer('created_at').notNull(),
  },
  (t) => [index('leases_until_idx').on(t.leaseUntil)],
)

export type LaneRow = typeof lanesTable.$inferSelect
export type ProviderJobRow = typeof providerJobsTable.$inferSelect
export type LeaseRow = typeof leasesTable.$inferSelect
