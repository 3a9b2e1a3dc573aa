/**
 * Batches, their lanes and items. Items hold the byte range of their line in the input file,
 * never a copy of the prompt; outputs are stored per item so results page by cursor.
 * Batch and item rows double as job rows: `lease_until` and `next_attempt_at` drive the scheduler.
 */
import { sql } from 'drizzle-orm'
import { sqliteTable, text, integer, index, uniqueIndex } from 'drizzle-orm/sqlite-core'
import { orgsTable } from '../accounts/table'

export const batchesTable = sqliteTable(
  'batches',
  {
    id: text('id').primaryKey(),
    orgId: text('org_id').notNull().references(() => orgsTable.id),
    status: text('status').notNull(),
    /** `native` or `openai`: which create shape the client used. */
    shape: text('shape').notNull(),
    endpoint: text('endpoint').notNull(),
    inputFileId: text('input_file_id').notNull(),
    inputPath: text('input_path').notNull(),
    model: text('model'),
    quoteId: text('quote_id'),
    slaTier: text('sla_tier').notNull(),
    routingMode: text('routing_mode').notNull(),
    privacyTier: text('privacy_tier').notNull(),
    policy: text('policy', { mode: 'json' }).notNull(),
    metadata: text('metadata', { mode: 'json' }),
    webhookUrl: text('webhook_url'),
    webhookSecret: text('webhook_secret'),
    itemCount: integer('item_count').notNull(),
    estimate: text('estimate', { mode: 'json' }).notNull(),
    lockedRates: text('locked_rates', { mode: 'json' }).notNull(),
    reservationId: text('reservation_id'),
    reservedMicros: integer('reserved_micros').notNull(),
    chargedMicros: integer('charged_micros'),
    outputFileId: text('output_file_id'),
    errorFileId: text('error_file_id'),
    errors: text('errors', { mode: 'json' }),
    outputExpiresAfter: integer('output_expires_after'),
    createdAt: integer('created_at').notNull(),
    updatedAt: integer('updated_at').notNull(),
    inProgressAt: integer('in_progress_at'),
    finalizingAt: integer('finalizing_at'),
    completedAt: integer('completed_at'),
    failedAt: integer('failed_at'),
    expiredAt: integer('expired_at'),
    cancellingAt: integer('cancelling_at'),
    cancelledAt: integer('cancelled_at'),
    slaDeadline: integer('sla_deadline').notNull(),
    /** Set by cancel or expiry; finalize ends the batch in this status. */
    endIntent: text('end_intent'),
    leaseUntil: integer('lease_until'),
    nextAttemptAt: integer('next_attempt_at').notNull(),
    lastError: text('last_error'),
  },
  (t) => [
    index('batches_org_idx').on(t.orgId, t.createdAt),
    index('batches_status_idx').on(t.status, t.nextAttemptAt),
  ],
)

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

export const itemsTable = sqliteTable(
  'items',
  {
    id: text('id').primaryKey(),
    batchId: text('batch_id').notNull().references(() => batchesTable.id),
    /** 0-based input order. */
    seq: integer('seq').notNull(),
    customerItemId: text('customer_item_id').notNull(),
    line: integer('line').notNull(),
    offset: integer('offset').notNull(),
    length: integer('length').notNull(),
    model: text('model').notNull(),
    operation: text('operation').notNull(),
    /** The OpenAI endpoint the line used, or the one implied by the operation. */
    url: text('url').notNull(),
    estInputTokens: integer('est_input_tokens').notNull(),
    estOutputTokens: integer('est_output_tokens').notNull(),
    needsTools: integer('needs_tools', { mode: 'boolean' }).notNull().default(false),
    /** Why the chat request cannot be translated for Anthropic (`<rejection_code>:<feature>`), or null. */
    untranslatable: text('untranslatable'),
    status: text('status').notNull(),
    laneId: text('lane_id'),
    provider: text('provider'),
    offeringId: text('offering_id'),
    attempts: integer('attempts').notNull().default(0),
    nextAttemptAt: integer('next_attempt_at'),
    leaseUntil: integer('lease_until'),
    output: text('output'),
    errorCode: text('error_code'),
    errorMessage: text('error_message'),
    inputTokens: integer('input_tokens'),
    outputTokens: integer('output_tokens'),
    cachedTokens: integer('cached_tokens'),
    costMicros: integer('cost_micros'),
    completedAt: integer('completed_at'),
    /** The provider job (batch dialects) the item was last sent in, and its provider-safe custom id there. */
    providerJobId: text('provider_job_id'),
    providerCustomId: text('provider_custom_id'),
  },
  (t) => [
    uniqueIndex('items_batch_seq_idx').on(t.batchId, t.seq),
    // Covering index for the per-batch totals (GET /v1/batches/{id}, finalize): counts and sums are
    // read from the index alone, never from item rows that carry whole outputs.
    index('items_batch_status_idx').on(t.batchId, t.status, t.laneId, t.inputTokens, t.outputTokens, t.cachedTokens, t.costMicros),
    index('items_dispatch_idx').on(t.offeringId, t.status, t.nextAttemptAt),
    index('items_provider_job_idx').on(t.providerJobId, t.status),
  ],
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

/** Idempotency records for POST /v1/batches (native key, or an OpenAI-shape fingerprint). */
export const idempotencyTable = sqliteTable(
  'idempotency_keys',
  {
    orgId: text('org_id').notNull(),
    key: text('key').notNull(),
    requestHash: text('request_hash').notNull(),
    state: text('state', { enum: ['in_flight', 'done'] }).notNull(),
    batchId: text('batch_id'),
    createdAt: integer('created_at').notNull(),
  },
  (t) => [uniqueIndex('idempotency_org_key_idx').on(t.orgId, t.key)],
)

export type BatchRow = typeof batchesTable.$inferSelect
export type LaneRow = typeof lanesTable.$inferSelect
export type ItemRow = typeof itemsTable.$inferSelect
export type ProviderJobRow = typeof providerJobsTable.$inferSelect
