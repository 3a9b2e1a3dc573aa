/**
 * The work: lanes (a batch's items assigned to one offering) and provider jobs (batches submitted
 * to a provider's batch API). Both reference their batch by id.
 */
import { sql } from 'drizzle-orm'
import { sqliteTable, text, integer, index } from 'drizzle-orm/sqlite-core'
import { parentTable } from '../../db/parent-table'

/** batches owns the batches table; lanes and provider jobs belong to a batch. */
const batchesTable = parentTable('batches')

export const lanesTable = sqliteTable(
  'lanes',
  {
    id: text('id').primaryKey(),
    batchId: text('batch_id').notNull().references(() => batchesTable.id),
    model: text('model').notNull(),
    operation: text('operation').notNull(),
    provider: text('provider').notNull(),
    offeringId: text('offering_id').notNull(),
    status: text('status').notNull(),
    itemCount: integer('item_count').notNull(),
    /** Item models this lane takes (the group's models list); lets an interrupted fill resume. */
    itemModels: text('item_models', { mode: 'json' }).notNull().default(sql`'[]'`),
    inputRate: integer('input_rate').notNull(),
    outputRate: integer('output_rate').notNull(),
    quotedMicros: integer('quoted_micros').notNull(),
    fallbacks: text('fallbacks', { mode: 'json' }).notNull(),
    createdAt: integer('created_at').notNull(),
  },
  (t) => [index('lanes_batch_idx').on(t.batchId)],
)

/**
 * Jobs submitted to a provider's batch API (openai-batch, anthropic-batches): one row per
 * provider batch, written BEFORE the remote create so a crash is reconciled, polled by
 * collect-results (`next_poll_at`, `lease_until`). Items point here by `items.provider_job_id`.
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
    status: text('status').notNull(),
    /** PROVIDER_JOB_CAUSES when it did not end normally. */
    cause: text('cause'),
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
    leaseUntil: integer('lease_until'),
    error: text('error'),
  },
  (t) => [
    index('provider_jobs_due_idx').on(t.status, t.nextPollAt),
    index('provider_jobs_provider_idx').on(t.provider, t.endedAt),
    index('provider_jobs_batch_idx').on(t.batchId),
  ],
)

export type LaneRow = typeof lanesTable.$inferSelect
export type ProviderJobRow = typeof providerJobsTable.$inferSelect
