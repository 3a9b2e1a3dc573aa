/**
 * Items: one row per input line. An item holds the byte range of its line in the batch's input
 * file, never a copy of the prompt, plus what routing needs; its output is stored on the row so
 * results page by cursor. Item rows double as job rows: runners lease them (features/dispatch).
 */
import { sqliteTable, text, integer, index, uniqueIndex, primaryKey } from 'drizzle-orm/sqlite-core'
import { sql } from 'drizzle-orm'
import { parentTable } from '../../db/parent-table'
import type { ItemStatus } from './state'
import type { ItemOperation, ItemUrl } from './types'

/** batches owns the batches table; every item belongs to a batch. */
const batchesTable = parentTable('batches')

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
    operation: text('operation').$type<ItemOperation>().notNull(),
    /** The OpenAI endpoint the line used, or the one implied by the operation. */
    url: text('url').$type<ItemUrl>().notNull(),
    estInputTokens: integer('est_input_tokens').notNull(),
    estOutputTokens: integer('est_output_tokens').notNull(),
    needsTools: integer('needs_tools', { mode: 'boolean' }).notNull().default(false),
    /** Why the chat request cannot be translated for Anthropic (`<rejection_code>:<feature>`), or null. */
    untranslatable: text('untranslatable'),
    /** ITEM_STATUSES (state.ts). */
    status: text('status').$type<ItemStatus>().notNull(),
    laneId: text('lane_id'),
    provider: text('provider'),
    offeringId: text('offering_id'),
    /** Claims so far; an outcome is recorded only for the attempt that is running (the fence). */
    attempts: integer('attempts').notNull().default(0),
    nextAttemptAt: integer('next_attempt_at'),
    /** The lease (leases.id) of the runner that claimed it; null when no runner holds it. */
    leaseId: text('lease_id'),
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
    /** The edge node that holds or last ran it (fleet lanes, contract §11); null elsewhere. */
    nodeId: text('node_id'),
  },
  (t) => [
    uniqueIndex('items_batch_seq_idx').on(t.batchId, t.seq),
    // Covering index for the per-batch totals (GET /v1/batches/{id}, finalize): counts and sums are
    // read from the index alone, never from item rows that carry whole outputs.
    index('items_batch_status_idx').on(t.batchId, t.status, t.laneId, t.inputTokens, t.outputTokens, t.cachedTokens, t.costMicros),
    index('items_dispatch_idx').on(t.offeringId, t.status, t.nextAttemptAt),
    index('items_provider_job_idx').on(t.providerJobId, t.status),
    // Only leased items are in it: rescue finds a lapsed lease's items without a scan.
    index('items_lease_idx').on(t.leaseId).where(sql`${t.leaseId} is not null`),
  ],
)

export type ItemRow = typeof itemsTable.$inferSelect

/**
 * Per batch, lane and item status: how many items and their summed usage and cost, kept in the
 * same transaction as every write of an item row, whichever connection makes it — inserts by
 * CreatingItemsWriter (the one insert path), changes and deletes by the triggers in
 * totals-triggers.sql — so a read of a batch's counts is a handful of rows instead of a scan of
 * its items. `lane_id` is '' for items not assigned to a lane yet.
 */
export const itemTotalsTable = sqliteTable(
  'item_totals',
  {
    batchId: text('batch_id').notNull(),
    laneId: text('lane_id').notNull(),
    status: text('status').$type<ItemStatus>().notNull(),
    n: integer('n').notNull(),
    inputTokens: integer('input_tokens').notNull(),
    outputTokens: integer('output_tokens').notNull(),
    cachedTokens: integer('cached_tokens').notNull(),
    costMicros: integer('cost_micros').notNull(),
  },
  (t) => [primaryKey({ columns: [t.batchId, t.laneId, t.status] })],
)

export type ItemTotalsRow = typeof itemTotalsTable.$inferSelect
