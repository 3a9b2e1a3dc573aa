/**
 * Batches and the idempotency records of their creation. A batch row doubles as a job row:
 * `lease_id` and `next_attempt_at` drive routing and finalizing. Its items (features/items)
 * and lanes (features/dispatch) reference it by id.
 */
import { sqliteTable, text, integer, index, uniqueIndex } from 'drizzle-orm/sqlite-core'
import { parentTable } from '../../db/parent-table'
import type { LockedRates, PrivacyTier, RoutingMode, SlaTier, StoredPolicy } from '../routing/index'
import type { PriceBreakdown } from '../catalog/index'
import type { BatchStatus, EndIntent } from './state'

/** accounts owns the orgs table; rows here belong to an org. */
const orgsTable = parentTable('orgs')

/** One entry of the OpenAI `errors` list of a batch. */
export interface BatchError {
  code: string
  message: string
  param: string | null
  line: number | null
}

export const batchesTable = sqliteTable(
  'batches',
  {
    id: text('id').primaryKey(),
    orgId: text('org_id').notNull().references(() => orgsTable.id),
    /** BATCH_STATUSES (state.ts). */
    status: text('status').$type<BatchStatus>().notNull(),
    /** `native` or `openai`: which create shape the client used. */
    shape: text('shape').$type<'native' | 'openai'>().notNull(),
    endpoint: text('endpoint').notNull(),
    inputFileId: text('input_file_id').notNull(),
    inputPath: text('input_path').notNull(),
    model: text('model'),
    quoteId: text('quote_id'),
    slaTier: text('sla_tier').$type<SlaTier>().notNull(),
    routingMode: text('routing_mode').$type<RoutingMode>().notNull(),
    privacyTier: text('privacy_tier').$type<PrivacyTier>().notNull(),
    policy: text('policy', { mode: 'json' }).$type<StoredPolicy>().notNull(),
    metadata: text('metadata', { mode: 'json' }).$type<Record<string, unknown>>(),
    webhookUrl: text('webhook_url'),
    webhookSecret: text('webhook_secret'),
    itemCount: integer('item_count').notNull(),
    /** The price reserved at create (a quote's `pricing_estimate` shape). */
    estimate: text('estimate', { mode: 'json' }).$type<PriceBreakdown>().notNull(),
    lockedRates: text('locked_rates', { mode: 'json' }).$type<LockedRates>().notNull(),
    /** The SLA tier's price multiplier in basis points, locked at create (the quote's, else the config's). */
    slaMultiplierBps: integer('sla_multiplier_bps').notNull(),
    reservationId: text('reservation_id'),
    reservedMicros: integer('reserved_micros').notNull(),
    chargedMicros: integer('charged_micros'),
    outputFileId: text('output_file_id'),
    errorFileId: text('error_file_id'),
    /** Batch-level problems for OpenAI's `errors` list. */
    errors: text('errors', { mode: 'json' }).$type<BatchError[]>(),
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
    endIntent: text('end_intent').$type<EndIntent>(),
    /** The lease (leases.id) of the job routing or finalizing it; null when none. */
    leaseId: text('lease_id'),
    nextAttemptAt: integer('next_attempt_at').notNull(),
    lastError: text('last_error'),
  },
  (t) => [
    index('batches_org_idx').on(t.orgId, t.createdAt),
    index('batches_status_idx').on(t.status, t.nextAttemptAt),
  ],
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
