/**
 * The webhook outbox (design §8). An event row is written in the same transaction as the batch
 * state change that causes it and holds the exact raw body that is signed and sent, so every
 * retry sends the same bytes under the same `webhook-id`. Event rows double as job rows:
 * `deliver-webhooks` leases due ones (features/dispatch leases). Each attempt is one delivery row.
 */
import { sqliteTable, text, integer, index, uniqueIndex } from 'drizzle-orm/sqlite-core'
import { parentTable } from '../../db/parent-table'
import type { EventState, WebhookEventType } from './models'

/** batches owns the batches table; events belong to a batch. */
const batchesTable = parentTable('batches')

export const webhookEventsTable = sqliteTable(
  'webhook_events',
  {
    /** `evt_…`; also the `webhook-id` header. */
    id: text('id').primaryKey(),
    batchId: text('batch_id').notNull().references(() => batchesTable.id),
    orgId: text('org_id').notNull(),
    /** One of WEBHOOK_EVENT_TYPES. */
    type: text('type').$type<WebhookEventType>().notNull(),
    /** The raw JSON body, byte for byte what is signed and POSTed. */
    body: text('body').notNull(),
    /** Destination and signing secret as configured when the event was written (per-batch, else org default). */
    url: text('url').notNull(),
    secret: text('secret').notNull(),
    /** One of EVENT_STATES. */
    state: text('state').$type<EventState>().notNull(),
    attempts: integer('attempts').notNull().default(0),
    nextAttemptAt: integer('next_attempt_at').notNull(),
    /** The lease (leases.id) of the delivery attempt in flight; null when none. */
    leaseId: text('lease_id'),
    createdAt: integer('created_at').notNull(),
    deliveredAt: integer('delivered_at'),
  },
  (t) => [
    index('webhook_events_due_idx').on(t.state, t.nextAttemptAt),
    index('webhook_events_batch_idx').on(t.batchId, t.type, t.createdAt),
  ],
)

export const webhookDeliveriesTable = sqliteTable(
  'webhook_deliveries',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    eventId: text('event_id').notNull().references(() => webhookEventsTable.id),
    batchId: text('batch_id').notNull(),
    /** 1-based attempt number of this event. */
    attempt: integer('attempt').notNull(),
    /** When the attempt started (ms). */
    at: integer('at').notNull(),
    /** The receiver's HTTP status; null when no response came (refused, DNS, network, timeout). */
    statusCode: integer('status_code'),
    latencyMs: integer('latency_ms').notNull(),
    /** Why the attempt did not succeed; null on a 2xx. */
    error: text('error'),
  },
  (t) => [uniqueIndex('webhook_deliveries_event_attempt_idx').on(t.eventId, t.attempt), index('webhook_deliveries_batch_idx').on(t.batchId)],
)

export type WebhookEventRow = typeof webhookEventsTable.$inferSelect
export type WebhookDeliveryRow = typeof webhookDeliveriesTable.$inferSelect
